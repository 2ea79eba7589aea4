/*
 * Two replicas in one test: two test backends on one fresh database of the sandbox's
 * PostgreSQL (scripts/sandbox up postgres) and one Redis (scripts/sandbox up redis), with
 * Backstage's real database, scheduler and cache services, as the portal's production
 * replicas share them.
 */
import { BackendFeature } from '@backstage/backend-plugin-api';
import { cacheServiceFactory } from '@backstage/backend-defaults/cache';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { sandboxEnv } from '@internal/sandbox';
import pg from 'pg';

/** A database of its own on the sandbox's PostgreSQL; `drop` removes it. */
export async function freshPostgresDatabase() {
  const base = sandboxEnv().postgresUrl;
  const name = `rag_chat_test_${Date.now().toString(36)}_${Math.random()
    .toString(36)
    .slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const db = new pg.Client({ connectionString: base });
      await db.connect();
      try {
        await db.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await db.end();
      }
    },
  };
}

/** One replica: the features with the real database, scheduler and (Redis) cache. */
export async function startReplica(options: {
  databaseUrl: string;
  redisUrl: string;
  config: JsonObject;
  features: BackendFeature[];
}) {
  return startTestBackend({
    features: [
      ...options.features,
      databaseServiceFactory,
      schedulerServiceFactory,
      cacheServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          ...options.config,
          backend: {
            database: {
              client: 'pg',
              connection: options.databaseUrl,
              pluginDivisionMode: 'schema',
            },
            cache: { store: 'redis', connection: options.redisUrl },
          },
        },
      }),
    ],
  });
}
