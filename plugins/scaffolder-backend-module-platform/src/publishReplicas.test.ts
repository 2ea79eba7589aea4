/*
 * Published entities on two replicas: two test backends, each with the real catalog and
 * this package's catalog module, on one fresh database of the sandbox's PostgreSQL with
 * Backstage's real database and scheduler services (startReplica of
 * @internal/platform-node/testUtils; scripts/sandbox up postgres). An
 * entity published through either replica is in both catalogs, stays there through
 * several full refreshes, and a second publish of a taken name is refused naming it.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  freshPostgresDatabase,
  startReplica,
} from '@internal/platform-node/testUtils';
import request from 'supertest';
import { catalogModulePlatformLocalPublish } from './module';
import { PublishedEntitiesClient } from './published/PublishedEntitiesClient';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, description: `published through ${name}` },
  spec: {
    type: 'service',
    lifecycle: 'experimental',
    owner: 'group:default/platform-team',
  },
});

describe('published entities on two replicas', () => {
  it('are in the catalog of both replicas, and neither removes the other’s', async () => {
    const database = await freshPostgresDatabase('publish_test');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'publish-replicas-'));

    const start = () =>
      startReplica({
        databaseUrl: database.url,
        config: {
          catalog: { processingInterval: { seconds: 2 } },
          platformScaffolder: {
            localPublishDirectory: dir,
            publishedEntitiesRefreshSeconds: 2,
          },
        },
        features: [catalogPlugin, catalogModulePlatformLocalPublish],
      });
    const replicas: TestBackend[] = [];
    // Each replica's scaffolder publishes through its own catalog, with the scaffolder's
    // service credentials (mock tokens, which the test backends' httpAuth accepts).
    const client = (i: number) =>
      new PublishedEntitiesClient({
        discovery: {
          getBaseUrl: async () =>
            `http://localhost:${
              (replicas[i].server.address() as { port: number }).port
            }/api/catalog`,
          getExternalBaseUrl: async () => '',
        },
        auth: mockServices.auth({ pluginId: 'scaffolder' }),
      });
    const catalogOf = async (i: number) =>
      (
        await request(replicas[i].server).get(
          '/api/catalog/entities/by-query?filter=kind=component&limit=100',
        )
      ).body.items
        .map((e: Entity) => e.metadata.name)
        .filter((n: string) => n.startsWith('alpha') || n.startsWith('beta'))
        .sort();
    const knex = database.pluginKnex('catalog');
    try {
      replicas.push(await start(), await start());
      await client(0).publish({
        name: 'alpha',
        taskId: 'task-a',
        entities: [component('alpha')],
      });
      await client(1).publish({
        name: 'beta',
        taskId: 'task-b',
        entities: [component('beta')],
      });

      let seen: string[][] = [];
      for (let i = 0; i < 60; i++) {
        seen = [await catalogOf(0), await catalogOf(1)];
        if (seen.every(s => s.length === 2)) break;
        await sleep(500);
      }
      expect(seen).toEqual([
        ['alpha', 'beta'],
        ['alpha', 'beta'],
      ]);

      // Several full refreshes later (a global task every 2 s), both are still in both.
      const refreshes = async () =>
        Number(
          (
            await knex('backstage_backend_tasks__tasks')
              .where({ id: 'platform-local-publish-refresh' })
              .first()
          )?.next_run_start_at?.getTime() ?? 0,
        );
      const before = await refreshes();
      for (let i = 0; i < 60; i++) {
        if ((await refreshes()) >= before + 6000) break;
        await sleep(500);
      }
      expect(await refreshes()).toBeGreaterThanOrEqual(before + 6000);
      expect([await catalogOf(0), await catalogOf(1)]).toEqual([
        ['alpha', 'beta'],
        ['alpha', 'beta'],
      ]);

      // A second publish of a taken name, through the other replica, is refused naming it.
      await expect(
        client(1).publish({
          name: 'alpha',
          taskId: 'task-c',
          entities: [component('alpha-again')],
        }),
      ).rejects.toThrow(
        /^'alpha' is already published \(component:default\/alpha, by scaffolder task task-a at .*\); nothing was changed. Choose another name$/,
      );
      // The same task again is fine (a resumed task).
      await expect(
        client(1).publish({
          name: 'alpha',
          taskId: 'task-a',
          entities: [component('alpha')],
        }),
      ).resolves.toEqual({ created: false });
      // Only the scaffolder may publish.
      const anyone = await request(replicas[0].server)
        .post('/api/catalog/platform-local-publish/entities')
        .send({ name: 'gamma', taskId: 't', entities: [component('gamma')] });
      expect(anyone.status).toBe(403);
      expect(await catalogOf(0)).toEqual(['alpha', 'beta']);
    } finally {
      await Promise.all(replicas.map(r => r.stop().catch(() => undefined)));
      await knex.destroy();
      await database.drop();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
