/*
 * The whole plugin in a test backend, over HTTP: indexing through the
 * scheduler into the sandbox's vector store, questions answered by the sandbox
 * model server and streamed back as server-sent events.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ChatMessage,
  ChatStreamEvent,
  RagChatStatus,
  SseParser,
  toChatStreamEvent,
} from '@internal/plugin-rag-chat-common';
import { JsonObject } from '@backstage/types';
import pg from 'pg';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { ragChatPlugin } from './plugin';
import {
  CHAT_MODEL,
  EMBEDDING_MODEL,
  ENTITIES,
  SECRET_ENTITY,
  sandboxModelUrl,
  sandboxVectorUrl,
  testSchema,
  writeDocs,
} from './__testUtils__/fixtures';

jest.setTimeout(180_000);

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * The catalog as each caller sees it: bob may not read the payroll ledger, everyone
 * else may. This tests the chat's own filter given the catalog's answer; the same
 * through the real catalog, permission backend and the portal's policy is
 * packages/backend/src/modules/restrictedEntity.test.ts.
 */
function permissionAwareCatalog(entities: Entity[] = ENTITIES) {
  const visible = (options: unknown) => {
    const { principal } = (options as { credentials: BackstageCredentials })
      .credentials as BackstageCredentials<{ userEntityRef?: string }>;
    return entities.filter(
      e =>
        !(
          principal.userEntityRef === BOB &&
          stringifyEntityRef(e) === SECRET_ENTITY
        ),
    );
  };
  return catalogServiceMock.mock({
    getEntities: async (_request, options) => ({ items: visible(options) }),
    getEntityByRef: async (ref, options) =>
      visible(options).find(e => stringifyEntityRef(e) === ref),
    getEntitiesByRefs: async ({ entityRefs }, options) => ({
      items: entityRefs.map(ref =>
        visible(options).find(e => stringifyEntityRef(e) === ref),
      ),
    }),
  });
}

interface Streamed {
  status: number;
  events: ChatStreamEvent[];
  message?: ChatMessage;
  body: any;
}

async function ask(
  server: any,
  user: string,
  body: Record<string, unknown>,
): Promise<Streamed> {
  const res = await request(server)
    .post('/api/rag-chat/chat')
    .set('Authorization', mockCredentials.user.header(user))
    .send(body);
  if (res.status !== 200) {
    return { status: res.status, events: [], body: res.body };
  }
  expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
  const events = new SseParser()
    .push(res.text)
    .map(toChatStreamEvent)
    .filter((e): e is ChatStreamEvent => !!e);
  const done = events.find(e => e.type === 'done');
  return {
    status: res.status,
    events,
    message: done?.type === 'done' ? done.message : undefined,
    body: undefined,
  };
}

async function startBackend(
  ragChat: Record<string, unknown>,
  entities: Entity[] = ENTITIES,
) {
  const { server } = await startTestBackend({
    features: [
      ragChatPlugin,
      permissionAwareCatalog(entities).factory,
      mockServices.scheduler.factory({
        includeInitialDelayedTasksOnStartup: true,
      }),
      mockServices.rootConfig.factory({
        data: { ragChat: ragChat as JsonObject },
      }),
    ],
  });
  // The first index run starts with the backend; wait until the docs are in.
  let status: RagChatStatus | undefined;
  for (let i = 0; i < 120; i++) {
    const res = await request(server)
      .get('/api/rag-chat/status')
      .set('Authorization', mockCredentials.user.header(ALICE));
    status = res.body;
    if (status?.index.lastRunAt && !status.index.running) break;
    await sleep(500);
  }
  return { server, status: status! };
}

describe('rag-chat plugin', () => {
  const root = writeDocs();
  const schemas: string[] = [];
  const docs = { paths: [path.join(root, 'docs')], root };

  afterAll(async () => {
    rmSync(root, { recursive: true, force: true });
    const pool = new pg.Pool({ connectionString: sandboxVectorUrl() });
    for (const schema of schemas) {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
    await pool.end();
  });

  function sandboxConfig(extra: Record<string, unknown> = {}) {
    const schema = testSchema();
    schemas.push(schema);
    return {
      chat: { baseUrl: sandboxModelUrl(), model: CHAT_MODEL },
      embeddings: {
        baseUrl: sandboxModelUrl(),
        model: EMBEDDING_MODEL,
        dimensions: 384,
      },
      store: { connection: sandboxVectorUrl(), schema },
      sources: { docs },
      ...extra,
    };
  }

  describe('with the sandbox model server', () => {
    let server: any;
    let startStatus: RagChatStatus;
    beforeAll(async () => {
      const started = await startBackend(sandboxConfig());
      server = started.server;
      startStatus = started.status;
    });

    it('indexes the catalog and docs at start, with nothing left to configure', () => {
      expect(startStatus.index.sources).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'doc', sources: 4 }),
          expect.objectContaining({ kind: 'entity', sources: ENTITIES.length }),
        ]),
      );
      expect(startStatus.notices).toEqual([]);
    });

    it('streams an answer token by token that cites the doc it comes from', async () => {
      const { events, message } = await ask(server, ALICE, {
        question: 'How many brokers does the Kafka cluster have?',
      });
      expect(events[0].type).toBe('start');
      expect(events[events.length - 1].type).toBe('done');
      const deltas = events.filter(e => e.type === 'delta');
      expect(deltas.length).toBeGreaterThan(3);
      expect(message!.mode).toBe('generative');
      expect(message!.status).toBe('complete');
      expect(message!.answer).toBe(
        deltas.map(d => (d.type === 'delta' ? d.text : '')).join(''),
      );
      expect(message!.answer).toMatch(/three brokers/);
      const cited = message!.citations.map(
        n => message!.passages.find(p => p.n === n)!,
      );
      expect(cited.map(p => p.sourceId)).toContain('doc:docs/platform.md');
      const kafka = cited.find(p => p.sourceId === 'doc:docs/platform.md')!;
      expect(kafka.url).toBe(
        '/rag-chat/sources/doc%3Adocs%2Fplatform.md#kafka',
      );
      expect(kafka.heading).toBe('Kafka');
      expect(kafka.title).toBe('Platform overview');
      expect(message!.usage).toMatchObject({
        model: CHAT_MODEL,
        promptTokens: expect.any(Number),
        completionTokens: expect.any(Number),
        timeToFirstTokenMs: expect.any(Number),
        modelTimeToFirstTokenMs: expect.any(Number),
      });
    });

    it('never retrieves or cites a chunk of an entity the asker may not read', async () => {
      const question =
        'What are the payroll ledger salary bands, bonuses and payslips?';
      const bob = await ask(server, BOB, { question });
      const refs = (m?: ChatMessage) => m!.passages.map(p => p.entityRef);
      expect(refs(bob.message)).not.toContain(SECRET_ENTITY);
      expect(bob.message!.answer).not.toMatch(/salar/i);

      const alice = await ask(server, ALICE, { question });
      expect(refs(alice.message)).toContain(SECRET_ENTITY);
      expect(alice.message!.answer).toMatch(/salar/i);

      // Nor can bob open the source behind a citation.
      const source = await request(server)
        .get(
          `/api/rag-chat/sources/${encodeURIComponent(
            `entity:${SECRET_ENTITY}`,
          )}`,
        )
        .set('Authorization', mockCredentials.user.header(BOB));
      expect(source.status).toBe(404);
    });

    it('refuses a 100 KB question with a 400 naming the limit, before any answer', async () => {
      const before = await request(server)
        .get('/api/rag-chat/conversations')
        .set('Authorization', mockCredentials.user.header(BOB));
      const res = await ask(server, BOB, { question: 'x'.repeat(100 * 1024) });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        'The question is 102400 characters long; the limit is 4000 characters (ragChat.limits.maxQuestionChars)',
      );
      const after = await request(server)
        .get('/api/rag-chat/conversations')
        .set('Authorization', mockCredentials.user.header(BOB));
      expect(after.body).toEqual(before.body);
    });

    it('says so when nothing relevant is indexed, without asking the model', async () => {
      const { message } = await ask(server, ALICE, {
        question: 'What is a good recipe for banana bread?',
      });
      expect(message!.mode).toBe('nothing-found');
      expect(message!.passages).toEqual([]);
      expect(message!.answer).toMatch(/found nothing/);
      expect(message!.usage?.promptTokens).toBeUndefined();
    });

    it('keeps conversations per user: list, resume with a follow-up, delete', async () => {
      const first = await ask(server, ALICE, {
        question: 'What do the LLM ingestors do?',
      });
      const conversationId = first.message!.conversationId;
      const followUp = await ask(server, ALICE, {
        question: 'Which database do they depend on?',
        conversationId,
      });
      expect(followUp.message!.conversationId).toBe(conversationId);
      expect(followUp.message!.passages.map(p => p.sourceId)).toContain(
        'entity:component:default/llm-ingestors',
      );

      const list = await request(server)
        .get('/api/rag-chat/conversations')
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(list.body).toContainEqual(
        expect.objectContaining({
          id: conversationId,
          title: 'What do the LLM ingestors do?',
          messageCount: 2,
        }),
      );
      const one = await request(server)
        .get(`/api/rag-chat/conversations/${conversationId}`)
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(one.body.messages.map((m: ChatMessage) => m.question)).toEqual([
        'What do the LLM ingestors do?',
        'Which database do they depend on?',
      ]);

      // Someone else's conversation does not exist for bob.
      const theirs = await request(server)
        .get(`/api/rag-chat/conversations/${conversationId}`)
        .set('Authorization', mockCredentials.user.header(BOB));
      expect(theirs.status).toBe(404);
      const resume = await ask(server, BOB, {
        question: 'and then?',
        conversationId,
      });
      expect(resume.status).toBe(404);

      const deleted = await request(server)
        .delete(`/api/rag-chat/conversations/${conversationId}`)
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(deleted.status).toBe(204);
      const gone = await request(server)
        .get(`/api/rag-chat/conversations/${conversationId}`)
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(gone.status).toBe(404);
    });

    it('scopes an entity page question to the entity and its relations', async () => {
      const { message } = await ask(server, ALICE, {
        question: 'Where does it write embeddings?',
        entityRef: 'component:default/llm-ingestors',
      });
      expect(message!.passages.length).toBeGreaterThan(0);
      for (const p of message!.passages) {
        expect([
          'component:default/llm-ingestors',
          'resource:default/postgres-embeddings',
          'group:default/ml-engineering',
        ]).toContain(p.entityRef);
      }
    });

    it('stores thumbs with a comment and exports them as regression cases', async () => {
      const { message } = await ask(server, ALICE, {
        question: 'Where do model servers run?',
      });
      const rated = await request(server)
        .put(`/api/rag-chat/messages/${message!.id}/feedback`)
        .set('Authorization', mockCredentials.user.header(ALICE))
        .send({ rating: 'down', comment: 'Should mention GPU count' });
      expect(rated.status).toBe(204);
      // Only the asker may rate an answer.
      const other = await request(server)
        .put(`/api/rag-chat/messages/${message!.id}/feedback`)
        .set('Authorization', mockCredentials.user.header(BOB))
        .send({ rating: 'up' });
      expect(other.status).toBe(404);
      const bad = await request(server)
        .put(`/api/rag-chat/messages/${message!.id}/feedback`)
        .set('Authorization', mockCredentials.user.header(ALICE))
        .send({ rating: 'meh' });
      expect(bad.status).toBe(400);

      const exported = await request(server)
        .get('/api/rag-chat/feedback/export')
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(exported.status).toBe(200);
      expect(exported.headers['content-type']).toMatch(/application\/x-ndjson/);
      const cases = exported.text.split('\n').map(line => JSON.parse(line));
      expect(cases).toContainEqual(
        expect.objectContaining({
          question: 'Where do model servers run?',
          rating: 'down',
          comment: 'Should mention GPU count',
          askedBy: ALICE,
          mode: 'generative',
          citedSources: expect.arrayContaining(['doc:docs/platform.md']),
        }),
      );
    });

    // What the portal controls against prompt injection (the prompt's structure, as the
    // model receives it) is tested in router.test.ts and service/prompt.test.ts.
  });

  it('answers from the passages with a notice when the chat model is down, and limits the rate', async () => {
    const { server } = await startBackend(
      sandboxConfig({
        // Nothing listens on the discard port: a stopped model server.
        chat: { baseUrl: 'http://127.0.0.1:9/v1', model: CHAT_MODEL },
        limits: { questionsPerMinute: 2 },
      }),
    );
    const { events, message } = await ask(server, ALICE, {
      question: 'How many brokers does the Kafka cluster have?',
    });
    expect(events.map(e => e.type)).toEqual(
      expect.arrayContaining(['start', 'notice', 'delta', 'done']),
    );
    expect(message!.mode).toBe('extractive');
    expect(message!.answer).toMatch(/three brokers.*\[\d\]/);
    expect(message!.notices).toContain(
      'The chat model could not be reached, so this answer quotes the passages instead. Check ragChat.chat.baseUrl and ragChat.chat.model.',
    );
    expect(message!.notices.join(' ')).not.toContain('127.0.0.1');

    await ask(server, ALICE, { question: 'Where do model servers run?' });
    const third = await ask(server, ALICE, { question: 'And Kafka?' });
    expect(third.status).toBe(429);
    expect(third.body.error.message).toMatch(
      /at most 2 a minute \(ragChat\.limits\.questionsPerMinute\)/,
    );
  });

  // Shares no word with the stalled-partitions passage of docs/runbooks/consumer-lag.md
  // (its cosine with it is about 0.4, over the 0.3 of ragChat.retrieval.minSimilarity).
  const PARAPHRASE =
    'Kafka: one shard stuck, reader position frozen - what now?';
  const LAG_RUNBOOK = 'doc:docs/runbooks/consumer-lag.md';

  it('works with nothing configured: embedded store, in-process embeddings, extractive answers, notices naming the keys', async () => {
    const { server, status } = await startBackend({ sources: { docs } });
    expect(status.store.kind).toBe('embedded');
    expect(status.embeddings).toEqual({
      configured: true,
      inProcess: true,
      model: EMBEDDING_MODEL,
      dimensions: 384,
    });
    // Every passage of the docs has its vector.
    const doc = status.index.sources.find(k => k.kind === 'doc')!;
    expect(doc.sources).toBe(4);
    expect(doc.chunks).toBeGreaterThan(4);
    expect(doc.embeddedChunks).toBe(doc.chunks);
    expect(status.notices.join(' ')).toMatch(/ragChat\.chat\.baseUrl/);
    expect(status.notices.join(' ')).not.toMatch(/full-text only/);
    // Semantic retrieval: found by meaning alone.
    const paraphrased = await ask(server, ALICE, { question: PARAPHRASE });
    expect(paraphrased.message!.passages.map(p => p.sourceId)).toContain(
      LAG_RUNBOOK,
    );
    const { message } = await ask(server, ALICE, {
      question: 'How many brokers does the Kafka cluster have?',
    });
    expect(message!.mode).toBe('extractive');
    expect(message!.answer).toMatch(/three brokers/);
    expect(message!.citations.length).toBeGreaterThan(0);
    expect(message!.notices.join(' ')).toMatch(/ragChat\.chat\.model/);
    // Restricted docs stay with their group, in full-text search too.
    const restricted = await ask(server, ALICE, {
      question: 'How do I use the EKS break-glass role?',
    });
    expect(restricted.message!.passages.map(p => p.sourceId)).not.toContain(
      'doc:docs/runbooks/break-glass.md',
    );
  });

  it('retrieves by full text only with ragChat.embeddings.inProcess false, and says which keys to set', async () => {
    const { server, status } = await startBackend({
      embeddings: { inProcess: false },
      sources: { docs },
    });
    expect(status.embeddings.configured).toBe(false);
    expect(status.notices.join(' ')).toMatch(
      /full-text only: no embeddings endpoint is configured and ragChat\.embeddings\.inProcess is false/,
    );
    // The paraphrase above finds nothing by its words.
    const paraphrased = await ask(server, ALICE, { question: PARAPHRASE });
    expect(paraphrased.message!.passages.map(p => p.sourceId)).not.toContain(
      LAG_RUNBOOK,
    );
    const { message } = await ask(server, ALICE, {
      question: 'How many brokers does the Kafka cluster have?',
    });
    expect(message!.answer).toMatch(/three brokers/);
  });

  it('names the folder and how to fetch the model when its files are missing, and answers by full text', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'rag-chat-no-model-'));
    try {
      const { server, status } = await startBackend({
        embeddings: { modelDir: empty },
        sources: { docs },
      });
      expect(status.embeddings.configured).toBe(false);
      expect(status.notices).toContain(
        `Retrieval is full-text only: the in-process embedding model's files (model.onnx, tokenizer.json, tokenizer_config.json) are not in ${empty}. ` +
          './scripts/start.sh fetches them (or scripts/sandbox model fetch); set ragChat.embeddings.modelDir where they are, ' +
          'or ragChat.embeddings.baseUrl and ragChat.embeddings.model for an endpoint.',
      );
      const { message } = await ask(server, ALICE, {
        question: 'How many brokers does the Kafka cluster have?',
      });
      expect(message!.answer).toMatch(/three brokers/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  describe("the platform's own knowledge: this repository's catalog and EKS definition", () => {
    const REPO = path.resolve(__dirname, '../../..');
    const catalog = readdirSync(path.join(REPO, 'catalog'))
      .filter(f => f.endsWith('.yaml'))
      .flatMap(f =>
        parseAllDocuments(
          readFileSync(path.join(REPO, 'catalog', f), 'utf8'),
        ).map(d => d.toJSON() as Entity),
      );
    let server: any;
    beforeAll(async () => {
      // As app-config.yaml indexes it; nothing else configured (in-process embeddings).
      ({ server } = await startBackend(
        {
          sources: {
            docs: {
              root: REPO,
              paths: [path.join(REPO, 'templates/eks-cluster')],
              extensions: ['.md', '.tf', '.yaml'],
            },
          },
        },
        catalog,
      ));
    });

    const sourcesOf = async (question: string) =>
      (await ask(server, ALICE, { question })).message!.passages.map(
        p => p.sourceId,
      );

    it('answers how the cluster is built from its Terraform, citing the file', async () => {
      expect(
        await sourcesOf('Which instance type do the 8-GPU nodes use?'),
      ).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^doc:templates\/eks-cluster\/(variables|main)\.tf$/,
          ),
        ]),
      );
    });

    it("knows the add-ons beside the platform's own services", async () => {
      expect(
        await sourcesOf('What scales the consumers on Kafka lag?'),
      ).toContain('entity:component:default/keda');
      expect(
        await sourcesOf('What issues the TLS certificates, and from whom?'),
      ).toContain('entity:component:default/cert-manager');
    });
  });
});
