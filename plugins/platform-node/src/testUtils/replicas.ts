/*
 * Two replicas in one test: test backends on one fresh database of the sandbox's
 * PostgreSQL (scripts/sandbox up postgres), each with Backstage's real database and
 * scheduler services and, when asked, the real cache service on the sandbox's Redis
 * (scripts/sandbox up redis), as the portal's production replicas share them.
 */
import { cacheServiceFactory } from '@backstage/backend-defaults/cache';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { BackendFeature } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { sandboxEnv } from '@internal/sandbox';
import knexFactory, { Knex } from 'knex';
import net from 'node:net';

/** A database of its own on the sandbox's PostgreSQL. */
export interface FreshPostgresDatabase {
  /** The database's name: the prefix, then a time and a random part. */
  name: string;
  /** Its connection URL, for `backend.database.connection`. */
  url: string;
  /**
   * A knex on one plugin's schema of the database (the replicas' `pluginDivisionMode:
   * schema`); `drop` destroys the ones still open.
   */
  pluginKnex(pluginId: string): Knex;
  /** Drops the database, even while connections to it remain. */
  drop(): Promise<void>;
}

/**
 * Creates a database of its own on the sandbox's PostgreSQL (SANDBOX_PG_URL), named
 * `<prefix>_<time>_<random>`; `prefix` is lower-case letters, digits and underscores.
 */
export async function freshPostgresDatabase(
  prefix: string,
): Promise<FreshPostgresDatabase> {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(prefix)) {
    throw new Error(
      `freshPostgresDatabase: prefix '${prefix}' must be 1 to 40 lower-case letters, digits ` +
        'or underscores, starting with a letter',
    );
  }
  const base = sandboxEnv().postgresUrl;
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random()
    .toString(36)
    .slice(2, 8)}`;
  const onBase = async (sql: string) => {
    const admin = knexFactory({ client: 'pg', connection: base });
    try {
      await admin.raw(sql, [name]);
    } finally {
      await admin.destroy();
    }
  };
  await onBase('CREATE DATABASE ??');
  const url = new URL(base);
  url.pathname = `/${name}`;
  const opened: Knex[] = [];
  return {
    name,
    url: url.toString(),
    pluginKnex(pluginId) {
      const knex = knexFactory({
        client: 'pg',
        connection: url.toString(),
        searchPath: [pluginId],
        pool: { min: 0, max: 2 },
      });
      opened.push(knex);
      return knex;
    },
    async drop() {
      await Promise.all(opened.map(k => k.destroy().catch(() => undefined)));
      await onBase('DROP DATABASE IF EXISTS ?? WITH (FORCE)');
    },
  };
}

/** Options of {@link startReplica}. */
export interface StartReplicaOptions {
  /** The database the replicas share, usually a {@link FreshPostgresDatabase}'s `url`. */
  databaseUrl: string;
  /** The replica's config; `backend.database` (and `backend.cache`) are set here. */
  config?: JsonObject;
  /** The plugins, modules and service mocks under test. */
  features: BackendFeature[];
  /** `'redis'`: the real cache service on the sandbox's Redis (SANDBOX_REDIS_URL). */
  cache?: 'redis';
}

/**
 * Starts one replica: a test backend with the features and Backstage's real database
 * (on `databaseUrl`, a schema per plugin) and scheduler services, and with `cache:
 * 'redis'` the real cache service on the sandbox's Redis. Start two on one database.
 */
export async function startReplica(
  options: StartReplicaOptions,
): Promise<TestBackend> {
  // Backstage's Redis store retries a refused connection for ever: without this the
  // test waits out its timeout instead of saying what is missing.
  if (options.cache === 'redis') await redisAnswers(sandboxEnv().redisUrl);
  const config = options.config ?? {};
  const backend = (config.backend ?? {}) as JsonObject;
  return startTestBackend({
    features: [
      ...options.features,
      databaseServiceFactory,
      schedulerServiceFactory,
      ...(options.cache === 'redis' ? [cacheServiceFactory] : []),
      mockServices.rootConfig.factory({
        data: {
          ...config,
          backend: {
            ...backend,
            database: {
              client: 'pg',
              connection: options.databaseUrl,
              pluginDivisionMode: 'schema',
            },
            ...(options.cache === 'redis'
              ? {
                  cache: {
                    store: 'redis',
                    connection: sandboxEnv().redisUrl,
                  },
                }
              : {}),
          },
        },
      }),
    ],
  });
}

/** Fails at once, naming the command, when nothing listens at the Redis URL. */
async function redisAnswers(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(5000);
    const fail = (why: string) => {
      socket.destroy();
      reject(
        new Error(
          `The sandbox's Redis at ${url} does not answer (${why}): start it with "scripts/sandbox up redis"`,
        ),
      );
    };
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    socket.once('timeout', () => fail('no answer within 5 s'));
    socket.once('error', error => fail(error.message));
  });
}
