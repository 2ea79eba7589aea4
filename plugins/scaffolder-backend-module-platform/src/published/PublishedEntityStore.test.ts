/*
 * The published entities' table with its real migrations, on SQLite (no sandbox
 * needed): a publish is stored once, the same task may repeat it, nobody else may take
 * its name or its entity. The same on PostgreSQL with two replicas is
 * src/publishReplicas.test.ts.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import { importLegacyFolders } from './legacyFolder';
import { PublishedEntityStore } from './PublishedEntityStore';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name },
  spec: { type: 'service', lifecycle: 'experimental', owner: 'group:a' },
});

describe('PublishedEntityStore', () => {
  it('stores a publish once, lets its task repeat it, and refuses a second owner naming the first', async () => {
    const knex = await databases.init('SQLITE_3');
    // Beside the catalog's own migrations table: ours must not touch it.
    await knex.schema.createTable('knex_migrations', t => {
      t.increments('id');
      t.string('name');
    });
    await knex('knex_migrations').insert({ name: '20200101_catalog_init.js' });
    const store = await PublishedEntityStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    const handed: string[] = [];
    const hand = async (row: { name: string }) => {
      handed.push(row.name);
    };

    const first = await store.publish(
      {
        name: 'orders',
        taskId: 'task-1',
        publishedBy: 'user:default/alice',
        entities: [component('orders'), component('orders-db')],
      },
      hand,
    );
    expect(first.created).toBe(true);
    expect(first.row.entityRefs).toEqual([
      'component:default/orders',
      'component:default/orders-db',
    ]);

    // The same task again (resumed after a crash): nothing new, not handed again.
    const again = await store.publish(
      { name: 'orders', taskId: 'task-1', entities: [component('orders')] },
      hand,
    );
    expect(again.created).toBe(false);
    expect(handed).toEqual(['orders']);

    // Another task, the same name.
    const sameName = store.publish(
      { name: 'orders', taskId: 'task-2', entities: [component('other')] },
      hand,
    );
    await expect(sameName).rejects.toBeInstanceOf(ConflictError);
    await expect(sameName).rejects.toThrow(
      /^'orders' is already published \(component:default\/orders, component:default\/orders-db, by scaffolder task task-1 of user:default\/alice at \d{4}-.*\); nothing was changed/,
    );

    // Another name, an entity that is already published.
    await expect(
      store.publish(
        {
          name: 'orders-v2',
          taskId: 'task-3',
          entities: [component('orders-db')],
        },
        hand,
      ),
    ).rejects.toThrow(
      /^component:default\/orders-db is already published under the name 'orders'/,
    );

    // Refused publishes were not handed to the catalog, nor stored.
    expect(handed).toEqual(['orders']);
    const all = await store.withAll(async rows => rows.map(r => r.name));
    expect(all).toEqual(['orders']);
    expect((await store.get('orders'))?.taskId).toBe('task-1');
    // Only the task that published a name withdraws it.
    const removed: string[] = [];
    const hand2 = async (row: { name: string }) => {
      removed.push(row.name);
    };
    await expect(
      store.withdraw({ name: 'orders', taskId: 'task-2' }, hand2),
    ).rejects.toThrow(
      /^'orders' was published by another task \(component:default\/orders, .*\); it is not withdrawn$/,
    );
    expect(await store.get('orders')).toBeDefined();
    await expect(
      store.withdraw({ name: 'orders', taskId: 'task-1' }, hand2),
    ).resolves.toEqual({ withdrawn: true });
    expect(removed).toEqual(['orders']);
    expect(await store.get('orders')).toBeUndefined();
    await expect(
      store.withdraw({ name: 'orders', taskId: 'task-1' }, hand2),
    ).resolves.toEqual({ withdrawn: false });

    // The catalog's migrations table is as it was.
    expect(await knex('knex_migrations').pluck('name')).toEqual([
      '20200101_catalog_init.js',
    ]);
  });
});

describe('importLegacyFolders', () => {
  it('stores the folders the previous version published, once, and nothing else', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'legacy-publish-'));
    const write = async (name: string, yaml: string, marker = false) => {
      await fs.mkdir(path.join(dir, name));
      await fs.writeFile(path.join(dir, name, 'catalog-info.yaml'), yaml);
      if (marker) {
        await fs.writeFile(
          path.join(dir, name, '.platform-published.json'),
          '{"taskId":"t"}',
        );
      }
    };
    const yaml = (name: string) =>
      `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec: {}\n`;
    try {
      await write('old-one', yaml('old-one'));
      await write('new-one', yaml('new-one'), true);
      await write('broken', 'metadata: [');
      const knex = await databases.init('SQLITE_3');
      const store = await PublishedEntityStore.create(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      const logger = mockServices.logger.mock();
      expect(
        await importLegacyFolders({ directory: dir, store, logger }),
      ).toEqual(['old-one']);
      expect((await store.get('old-one'))?.entityRefs).toEqual([
        'component:default/old-one',
      ]);
      expect(await store.get('new-one')).toBeUndefined();
      // Once: a second start imports nothing.
      expect(
        await importLegacyFolders({ directory: dir, store, logger }),
      ).toEqual([]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
