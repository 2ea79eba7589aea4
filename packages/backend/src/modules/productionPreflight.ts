import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

const REQUIRED_PG_KEYS = [
  ['host', 'POSTGRES_HOST'],
  ['port', 'POSTGRES_PORT'],
  ['user', 'POSTGRES_USER'],
  ['password', 'POSTGRES_PASSWORD'],
] as const;

/**
 * Returns a message naming every missing PostgreSQL setting when the backend is
 * configured for PostgreSQL, or undefined when the configuration is complete.
 */
export function checkDatabaseConfig(config: Config): string | undefined {
  if (config.getOptionalString('backend.database.client') !== 'pg') {
    return undefined;
  }
  const connection = config.getOptional('backend.database.connection');
  if (typeof connection === 'string') {
    return undefined; // a connection string carries everything
  }
  const missing = REQUIRED_PG_KEYS.filter(
    ([key]) =>
      config.getOptional(`backend.database.connection.${key}`) === undefined,
  );
  if (missing.length === 0) {
    return undefined;
  }
  const keys = missing.map(([key]) => `backend.database.connection.${key}`);
  const vars = missing.map(([, env]) => env);
  return (
    `The backend is configured for PostgreSQL but ${keys.join(', ')} ` +
    `${missing.length === 1 ? 'is' : 'are'} not set. ` +
    `Set the environment variable${missing.length === 1 ? '' : 's'} ${vars.join(
      ', ',
    )} (see app-config.production.yaml), or start without ` +
    `app-config.production.yaml to use the embedded SQLite database.`
  );
}

/**
 * Fails start-up with a clear message instead of a connection error deep inside
 * a plugin when the production database settings are incomplete.
 */
export const productionPreflight = createBackendModule({
  pluginId: 'app',
  moduleId: 'production-preflight',
  register(env) {
    env.registerInit({
      deps: { config: coreServices.rootConfig },
      async init({ config }) {
        const problem = checkDatabaseConfig(config);
        if (problem) {
          throw new Error(problem);
        }
      },
    });
  },
});
