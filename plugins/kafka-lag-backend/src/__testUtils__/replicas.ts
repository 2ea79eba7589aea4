/*
 * Two replicas in one test: two test backends on one fresh database of the sandbox's
 * PostgreSQL (scripts/sandbox up postgres), each with Backstage's real database and
 * scheduler services, so global tasks really run once across both.
 */
import { BackendFeature } from '@backstage/backend-plugin-api';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { sandboxEnv } from '@internal/sandbox';
import knexFactory, { Knex } from 'knex';

type Feature = BackendFeature;

/** A database of its own on the sandbox's PostgreSQL; `drop` removes it. */
export async function freshPostgresDatabase() {
  const base = sandboxEnv().postgresUrl;
  const name = `kafka_lag_test_${Date.now().toString(36)}_${Math.random()
    .toString(36)
    .slice(2, 8)}`;
  const admin = knexFactory({ client: 'pg', connection: base });
  try {
    await admin.raw('CREATE DATABASE ??', [name]);
  } finally {
    await admin.destroy();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    /** A knex on one plugin's schema of the database (pluginDivisionMode: schema). */
    pluginKnex(pluginId: string): Knex {
      return knexFactory({
        client: 'pg',
        connection: url.toString(),
        searchPath: [pluginId],
        pool: { min: 0, max: 2 },
      });
    },
    async drop() {
      const db = knexFactory({ client: 'pg', connection: base });
      try {
        await db.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      } finally {
        await db.destroy();
      }
    },
  };
}

/** Starts one replica: the features with the real database and scheduler on `databaseUrl`. */
export async function startReplica(options: {
  databaseUrl: string;
  config: Record<string, unknown>;
  features: Feature[];
}) {
  return startTestBackend({
    features: [
      ...options.features,
      databaseServiceFactory,
      schedulerServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          ...options.config,
          backend: {
            database: {
              client: 'pg',
              connection: options.databaseUrl,
              pluginDivisionMode: 'schema',
            },
          },
        },
      }),
    ],
  });
}
