/*
 * The chat asks the catalog, with the asker's credentials, which of the entities
 * behind a question's candidate passages the asker may read, and keeps the answers
 * per user for ragChat.retrieval.readableCacheSeconds (1 s here). These tests change
 * the catalog's answer between questions and ask as two users in turn, so a cache that
 * serves one user's answers to another, or keeps an answer past its time (a stale
 * permission), fails them. No sandbox needed: the embedded store, the fixtures'
 * entities and docs, full-text retrieval and extractive answers.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ChatMessage, RagChatStatus } from '@internal/plugin-rag-chat-common';
import request from 'supertest';
import { ragChatPlugin } from './plugin';
import {
  ENTITIES,
  SECRET_ENTITY,
  askChat,
  writeDocs,
} from './__testUtils__/fixtures';

jest.setTimeout(120_000);

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const CAROL = 'user:default/carol';
/** A little longer than ragChat.retrieval.readableCacheSeconds. */
const CACHE_MS = 1_000;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const pastTheCache = () => sleep(CACHE_MS + 200);
const QUESTION =
  'What are the payroll ledger salary bands, bonuses and payslips?';

/** Who may read the secret entity right now; everything else is readable by all. */
const secretReaders = new Set<string>();
/** Each catalog call the chat made for a user's question: whose credentials, which refs. */
const calls: Array<{ user?: string; refs: string[] }> = [];

function visibleTo(options: unknown): Entity[] {
  const { principal } = (options as { credentials: BackstageCredentials })
    .credentials as BackstageCredentials<{ userEntityRef?: string }>;
  return ENTITIES.filter(
    e =>
      stringifyEntityRef(e) !== SECRET_ENTITY ||
      // The indexer reads the catalog as the plugin itself.
      !principal.userEntityRef ||
      secretReaders.has(principal.userEntityRef),
  );
}

const catalog = catalogServiceMock.mock({
  getEntities: async (_request, options) => ({ items: visibleTo(options) }),
  getEntityByRef: async (ref, options) =>
    visibleTo(options).find(e => stringifyEntityRef(e) === ref),
  getEntitiesByRefs: async ({ entityRefs }, options) => {
    const { principal } = (options as { credentials: BackstageCredentials })
      .credentials as BackstageCredentials<{ userEntityRef?: string }>;
    calls.push({ user: principal.userEntityRef, refs: entityRefs });
    return {
      items: entityRefs.map(ref =>
        visibleTo(options).find(e => stringifyEntityRef(e) === ref),
      ),
    };
  },
});

describe('rag-chat: the read permission of the entities behind the passages', () => {
  const root = writeDocs();
  let server: any;
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        ragChatPlugin,
        catalog.factory,
        mockServices.scheduler.factory({
          includeInitialDelayedTasksOnStartup: true,
        }),
        mockServices.rootConfig.factory({
          data: {
            ragChat: {
              // Full-text candidates only: by vector, every entity of this small index is a
              // candidate, and the "candidates' entities only" case below would ask them all.
              embeddings: { inProcess: false },
              sources: { docs: { paths: [path.join(root, 'docs')], root } },
              retrieval: { readableCacheSeconds: CACHE_MS / 1000 },
            },
          },
        }),
      ],
    }));
    let status: RagChatStatus | undefined;
    for (let i = 0; i < 120; i++) {
      const res = await request(server)
        .get('/api/rag-chat/status')
        .set('Authorization', mockCredentials.user.header(ALICE));
      status = res.body;
      const entities = status?.index.sources.find(s => s.kind === 'entity');
      if (status?.index.lastRunAt && !status.index.running && entities) break;
      await sleep(500);
    }
  });

  const ask = (user: string) => askChat(server, user, QUESTION);
  const cites = (m: ChatMessage) =>
    m.passages.some(p => p.entityRef === SECRET_ENTITY) ||
    /salar/i.test(m.answer);

  it('never gives one user what another may read, asked right after each other', async () => {
    secretReaders.clear();
    secretReaders.add(ALICE);
    expect(cites(await ask(ALICE))).toBe(true);
    // Bob asks the same right after: whatever was found readable for alice is not his.
    expect(cites(await ask(BOB))).toBe(false);
    expect(cites(await ask(ALICE))).toBe(true);
    expect(cites(await ask(BOB))).toBe(false);
  });

  it('applies a changed permission once the kept answer has expired', async () => {
    secretReaders.clear();
    secretReaders.add(ALICE);
    await pastTheCache();
    expect(cites(await ask(ALICE))).toBe(true);
    // Revoked: the first question after the cache time no longer gets it.
    secretReaders.delete(ALICE);
    await pastTheCache();
    expect(cites(await ask(ALICE))).toBe(false);
    // Granted: nor is an earlier refusal kept.
    secretReaders.add(BOB);
    await pastTheCache();
    expect(cites(await ask(BOB))).toBe(true);
  });

  it('asks the catalog with the asker’s credentials, about the candidates’ entities only', async () => {
    calls.length = 0;
    secretReaders.clear();
    await ask(CAROL);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every(c => c.user === CAROL)).toBe(true);
    const asked = new Set(calls.flatMap(c => c.refs));
    expect(asked).toContain(SECRET_ENTITY);
    // Not the whole catalog: the fixtures hold entities that no candidate comes from.
    expect(asked.size).toBeLessThan(ENTITIES.length);
    // And each entity once per question.
    expect(calls.flatMap(c => c.refs)).toHaveLength(asked.size);
    // Asked again at once, the kept answers serve.
    calls.length = 0;
    expect(cites(await ask(CAROL))).toBe(false);
    expect(calls).toEqual([]);
  });
});
