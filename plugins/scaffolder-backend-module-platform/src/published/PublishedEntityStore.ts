import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';

const TABLE = 'platform_published_entities';
/** Not the catalog's own knex_migrations: this table lives in the catalog's database. */
const MIGRATIONS_TABLE = 'platform_local_publish_migrations';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-scaffolder-backend-module-platform',
  'migrations',
);

/** One published name and its entities. */
export interface PublishedEntities {
  name: string;
  entityRefs: string[];
  entities: Entity[];
  taskId: string;
  publishedBy?: string;
  publishedAt: number;
}

export interface PublishRequest {
  name: string;
  taskId: string;
  publishedBy?: string;
  entities: Entity[];
}

/**
 * The published entities, in the catalog's database, so that every replica's catalog
 * module serves the same ones. A name, and an entity, is published once: publishing it
 * again from another task is a ConflictError naming what is there; from the same task
 * (a resumed task) it is a no-op.
 */
export class PublishedEntityStore {
  static async create(
    database: DatabaseService,
  ): Promise<PublishedEntityStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({
        directory: migrationsDir,
        tableName: MIGRATIONS_TABLE,
      });
    }
    return new PublishedEntityStore(knex);
  }

  private constructor(private readonly knex: Knex) {}

  private get isPostgres() {
    return String(this.knex.client.config.client).includes('pg');
  }

  /**
   * Stores a publish and calls `published` with it before it counts as done: on
   * PostgreSQL inside the transaction (a failure rolls the row back, and a full refresh
   * under `withAll` waits for it), elsewhere right after the insert.
   */
  async publish(
    request: PublishRequest,
    published: (row: PublishedEntities) => Promise<void>,
  ): Promise<{ created: boolean; row: PublishedEntities }> {
    const row: PublishedEntities = {
      name: request.name,
      entityRefs: request.entities.map(e => stringifyEntityRef(e)),
      entities: request.entities,
      taskId: request.taskId,
      publishedBy: request.publishedBy,
      publishedAt: Date.now(),
    };
    const insert = async (tx: Knex | Knex.Transaction) => {
      const existing = await tx(TABLE).select();
      const same = existing.find(r => r.name === request.name);
      if (same) {
        if (same.task_id === request.taskId) {
          return { created: false, row: toRow(same) };
        }
        throw new ConflictError(
          `'${request.name}' is already published (${describe(
            toRow(same),
          )}); nothing was changed. Choose another name`,
        );
      }
      for (const other of existing.map(toRow)) {
        const clash = other.entityRefs.find(ref =>
          row.entityRefs.includes(ref),
        );
        if (clash) {
          throw new ConflictError(
            `${clash} is already published under the name '${
              other.name
            }' (${describe(
              other,
            )}); nothing was changed. Give the entity another metadata.name`,
          );
        }
      }
      try {
        await tx(TABLE).insert({
          name: row.name,
          entity_refs: JSON.stringify(row.entityRefs),
          entities: JSON.stringify(row.entities),
          task_id: row.taskId,
          published_by: row.publishedBy ?? null,
          published_at: row.publishedAt,
        });
      } catch (error) {
        // Another replica inserted the same name a moment ago.
        const again = await tx(TABLE).where({ name: row.name }).first();
        if (again) {
          throw new ConflictError(
            `'${request.name}' is already published (${describe(
              toRow(again),
            )}); nothing was changed. Choose another name`,
          );
        }
        throw error;
      }
      return { created: true, row };
    };
    if (this.isPostgres) {
      return this.knex.transaction(async tx => {
        // Publishes one at a time: the checks above see every committed publish.
        await tx.raw('LOCK TABLE ?? IN SHARE ROW EXCLUSIVE MODE', [TABLE]);
        const result = await insert(tx);
        if (result.created) await published(result.row);
        return result;
      });
    }
    const result = await insert(this.knex);
    if (result.created) await published(result.row);
    return result;
  }

  /**
   * Every published row, handed to `fn` while no publish can commit (on PostgreSQL), so
   * that a full mutation built from them cannot drop an entity published meanwhile.
   */
  async withAll<T>(fn: (rows: PublishedEntities[]) => Promise<T>): Promise<T> {
    if (this.isPostgres) {
      return this.knex.transaction(async tx => {
        await tx.raw('LOCK TABLE ?? IN SHARE MODE', [TABLE]);
        return fn((await tx(TABLE).select().orderBy('name')).map(toRow));
      });
    }
    return fn((await this.knex(TABLE).select().orderBy('name')).map(toRow));
  }

  /**
   * Withdraws a publish, only for the task that made it (when the catalog rejected its
   * entity); calls `withdrawn` with it as `publish` does. Another task's publish is a
   * ConflictError: nothing is deleted.
   */
  async withdraw(
    request: { name: string; taskId: string },
    withdrawn: (row: PublishedEntities) => Promise<void>,
  ): Promise<{ withdrawn: boolean }> {
    const remove = async (tx: Knex | Knex.Transaction) => {
      const found = await tx(TABLE).where({ name: request.name }).first();
      if (!found) return undefined;
      const row = toRow(found);
      if (row.taskId !== request.taskId) {
        throw new ConflictError(
          `'${request.name}' was published by another task (${describe(
            row,
          )}); it is not withdrawn`,
        );
      }
      await tx(TABLE)
        .where({ name: request.name, task_id: request.taskId })
        .delete();
      return row;
    };
    if (this.isPostgres) {
      return this.knex.transaction(async tx => {
        await tx.raw('LOCK TABLE ?? IN SHARE ROW EXCLUSIVE MODE', [TABLE]);
        const row = await remove(tx);
        if (row) await withdrawn(row);
        return { withdrawn: !!row };
      });
    }
    const row = await remove(this.knex);
    if (row) await withdrawn(row);
    return { withdrawn: !!row };
  }

  async get(name: string): Promise<PublishedEntities | undefined> {
    const row = await this.knex(TABLE).where({ name }).first();
    return row ? toRow(row) : undefined;
  }
}

function toRow(r: Record<string, any>): PublishedEntities {
  return {
    name: r.name,
    entityRefs: JSON.parse(r.entity_refs),
    entities: JSON.parse(r.entities),
    taskId: r.task_id,
    publishedBy: r.published_by ?? undefined,
    publishedAt: Number(r.published_at),
  };
}

function describe(row: PublishedEntities): string {
  return `${row.entityRefs.join(', ')}, by scaffolder task ${row.taskId}${
    row.publishedBy ? ` of ${row.publishedBy}` : ''
  } at ${new Date(row.publishedAt).toISOString()}`;
}
