/*
 * The chat on two replicas, as production runs it: two test backends on one fresh
 * database of the sandbox's PostgreSQL (conversations, the scheduler's global task
 * lock), one Redis as Backstage's cache, one shared vector store (the sandbox's
 * PostgreSQL 15 with pgvector). Needs scripts/sandbox up postgres redis.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  freshPostgresDatabase,
  startReplica,
} from '@internal/platform-node/testUtils';
import { RagChatStatus } from '@internal/plugin-rag-chat-common';
import { rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { ragChatPlugin } from './plugin';
import {
  fixtureCatalog,
  sandboxPgVectorUrl,
  testSchema,
  writeDocs,
} from './__testUtils__/fixtures';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('rag-chat on two replicas', () => {
  it('limits a user’s questions across replicas, and indexes the shared store once', async () => {
    const database = await freshPostgresDatabase('rag_chat_test');
    const root = writeDocs();
    const schema = testSchema();
    // A user of its own per run: the Redis cache outlives the test's backends.
    const user = `user:default/replica-test-${Date.now().toString(36)}`;
    const config = {
      ragChat: {
        store: { connection: sandboxPgVectorUrl(), schema },
        sources: { docs: { paths: [path.join(root, 'docs')], root } },
        limits: { questionsPerMinute: 2 },
      },
    };
    const catalog = () => fixtureCatalog().factory;
    const replicas = [];
    try {
      for (let i = 0; i < 2; i++) {
        replicas.push(
          await startReplica({
            databaseUrl: database.url,
            config,
            cache: 'redis',
            features: [ragChatPlugin, catalog()],
          }),
        );
      }
      const [a, b] = replicas.map(r => r.server);
      const status = async (server: any): Promise<RagChatStatus> =>
        (
          await request(server)
            .get('/api/rag-chat/status')
            .set('Authorization', mockCredentials.user.header(user))
        ).body;

      // The first index run (the global task, on whichever replica claimed it).
      let statusA: RagChatStatus | undefined;
      for (let i = 0; i < 120; i++) {
        statusA = await status(a);
        if (statusA.index.lastRunAt && !statusA.index.running) break;
        await sleep(500);
      }
      expect(statusA?.store.kind).toBe('postgres');
      expect(statusA?.index.lastRunAt).toBeTruthy();
      // Both replicas report the same run: its state is in the shared cache.
      const statusB = await status(b);
      expect(statusB.index.lastRunAt).toBe(statusA!.index.lastRunAt);
      expect(statusB.index.sources).toEqual(statusA!.index.sources);

      const ask = (server: any, question: string) =>
        request(server)
          .post('/api/rag-chat/chat')
          .set('Authorization', mockCredentials.user.header(user))
          .send({ question });
      const first = await ask(
        a,
        'How many brokers does the Kafka cluster have?',
      );
      expect(first.status).toBe(200);
      expect(first.text).toMatch(/three brokers/);
      const second = await ask(b, 'Where do model servers run?');
      expect(second.status).toBe(200);
      // The third within the minute, on either replica, is refused.
      const third = await ask(a, 'And Kafka?');
      expect(third.status).toBe(429);
      expect(third.body.error.message).toMatch(
        /at most 2 a minute \(ragChat\.limits\.questionsPerMinute\)/,
      );
      const fourth = await ask(b, 'And Kafka, again?');
      expect(fourth.status).toBe(429);

      // The conversations are in the shared database: B lists what A answered.
      const listed = await request(b)
        .get('/api/rag-chat/conversations')
        .set('Authorization', mockCredentials.user.header(user));
      expect(listed.status).toBe(200);
      expect(listed.body.map((c: { title: string }) => c.title).sort()).toEqual(
        [
          'How many brokers does the Kafka cluster have?',
          'Where do model servers run?',
        ],
      );
    } finally {
      await Promise.all(replicas.map(r => r.stop().catch(() => undefined)));
      const pool = new pg.Pool({ connectionString: sandboxPgVectorUrl() });
      await pool
        .query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
        .catch(() => undefined);
      await pool.end();
      await database.drop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
