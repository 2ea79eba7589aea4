/*
 * The ingestors' live embeddings, end to end through the sandbox's real parts: a release
 * produced to the sandbox's Kafka (github-releases) is read by the workload's llm-ingestors
 * group, whose notes it embeds through the sandbox model server into the ingestors'
 * pgvector table in PostgreSQL (sandbox/src/workload.ts); the chat, already running, picks
 * the row up at its next index run (ragChat.sources.ingestorEmbeddings, the real scheduler)
 * and answers with it, for those who may read the table's guarding entity only.
 *
 * Needs: scripts/sandbox up kafka postgres workload model && eval "$(scripts/sandbox env)".
 */
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ChatMessage } from '@internal/plugin-rag-chat-common';
import { sandboxEnv } from '@internal/sandbox';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { ragChatPlugin } from './plugin';
import {
  CHAT_MODEL,
  EMBEDDING_MODEL,
  ENTITIES,
  askChat,
  chatStatus,
  sandboxModelUrl,
  sandboxPgVectorUrl,
  waitForIndexRun,
} from './__testUtils__/fixtures';

jest.setTimeout(300_000);

const GUARD = 'resource:default/postgres-embeddings';
const ALICE = 'user:default/alice';
/** May not read the embeddings table's resource. */
const BOB = 'user:default/bob';
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const suffix = Date.now().toString(36);
const TAG = `v9.${Date.now() % 100_000}.0`;
const REPOSITORY = 'platform/ingestors';
const DLQ = `poison-${suffix}-dlq`;
const NOTES = `${REPOSITORY} ${TAG} routes undecodable events to the dead-letter topic ${DLQ} instead of retrying them forever.`;
const SOURCE_REF = `release/${REPOSITORY}@${TAG}`;
const QUESTION = `Which dead-letter topic does release ${TAG} of ${REPOSITORY} route undecodable events to?`;

const catalog = catalogServiceMock.mock({
  getEntities: async () => ({ items: ENTITIES }),
  getEntityByRef: async ref =>
    ENTITIES.find(e => stringifyEntityRef(e) === ref),
  getEntitiesByRefs: async ({ entityRefs }, options) => {
    const { principal } = (options as { credentials: BackstageCredentials })
      .credentials as BackstageCredentials<{ userEntityRef?: string }>;
    return {
      items: entityRefs.map(ref =>
        principal.userEntityRef === BOB && ref === GUARD
          ? undefined
          : ENTITIES.find(e => stringifyEntityRef(e) === ref),
      ),
    };
  },
});

const cosine = (a: number[], b: number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    dot += x * b[i];
    na += x * x;
    nb += b[i] * b[i];
  });
  return dot / Math.sqrt(na * nb);
};

describe("rag-chat: the ingestors' live embeddings", () => {
  const vectors = new pg.Pool({ connectionString: sandboxPgVectorUrl() });
  let server: any;

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        ragChatPlugin,
        catalog.factory,
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            ragChat: {
              chat: { baseUrl: sandboxModelUrl(), model: CHAT_MODEL },
              embeddings: {
                baseUrl: sandboxModelUrl(),
                model: EMBEDDING_MODEL,
                dimensions: 384,
              },
              sources: {
                techdocs: { enabled: false },
                ingestorEmbeddings: {
                  connection: sandboxPgVectorUrl(),
                  entityRef: GUARD,
                  title: 'Ingested by llm-ingestors: {ref}',
                },
              },
              // Every 30 s (the scheduler checks every 30 s whether a run is due).
              index: { intervalMinutes: 0.5 },
            },
          },
        }),
      ],
    }));
  });

  afterAll(async () => {
    await vectors.query(
      'DELETE FROM ingestor_embeddings WHERE source_ref = $1',
      [SOURCE_REF],
    );
    await vectors.end();
  });

  it('embeds a release that arrives through Kafka and answers with it at the next index run', async () => {
    // The chat is up and has indexed once, without the release.
    const firstRun = (await waitForIndexRun(server, ALICE)).index.lastRunAt;
    expect(firstRun).toBeDefined();

    const kafka = new Kafka({
      clientId: 'ingestors-test',
      brokers: sandboxEnv().kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'github-releases',
      acks: -1,
      messages: [
        {
          key: `${REPOSITORY}@${TAG}`,
          value: JSON.stringify({
            repository: REPOSITORY,
            tag: TAG,
            notes: NOTES,
            publishedAt: new Date().toISOString(),
          }),
        },
      ],
    });
    await producer.disconnect();
    const producedAt = Date.now();

    // The ingestors' row: the notes, with the model server's vector of that very text.
    let row: { content: string; embedding: string } | undefined;
    while (!row && Date.now() - producedAt < 90_000) {
      const { rows } = await vectors.query(
        'SELECT content, embedding::text AS embedding FROM ingestor_embeddings WHERE source_ref = $1',
        [SOURCE_REF],
      );
      row = rows[0];
      if (!row) await sleep(1000);
    }
    if (!row) {
      throw new Error(
        `llm-ingestors wrote no row for ${SOURCE_REF} within 90 s (scripts/sandbox logs workload)`,
      );
    }
    expect(row.content).toContain(NOTES);
    const res = await fetch(`${sandboxModelUrl()}/embeddings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: EMBEDDING_MODEL, input: [row.content] }),
    });
    const expected = (await res.json()).data[0].embedding as number[];
    expect(cosine(JSON.parse(row.embedding), expected)).toBeGreaterThan(0.999);

    // Answerable once the next index run (within the interval) took the row in.
    let message: ChatMessage | undefined;
    let passage;
    while (Date.now() - producedAt < 150_000) {
      message = await askChat(server, ALICE, QUESTION);
      passage = message.passages.find(
        p => p.sourceId === `ingestor:${SOURCE_REF}`,
      );
      if (passage) break;
      await sleep(3000);
    }
    expect(passage).toMatchObject({
      kind: 'ingestor',
      title: `Ingested by llm-ingestors: ${SOURCE_REF}`,
      entityRef: GUARD,
    });
    expect(passage!.text).toContain(DLQ);
    expect(message!.citations).toContain(passage!.n);
    expect(message!.answer).toContain(DLQ);
    expect((await chatStatus(server, ALICE)).index.lastRunAt).not.toBe(
      firstRun,
    );
  });

  it("gives nothing of the ingestors' table to a user who may not read its resource", async () => {
    const message = await askChat(server, BOB, QUESTION);
    expect(message.passages.filter(p => p.kind === 'ingestor')).toEqual([]);
    expect(message.answer).not.toContain(DLQ);
  });
});
