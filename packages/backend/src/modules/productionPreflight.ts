import { Config } from '@backstage/config';
import { ConfigSources } from '@backstage/config-loader';

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
 * Loads the configuration the backend is about to start with (same `--config`
 * arguments and APP_CONFIG_ variables) and exits with a clear message when the
 * production database settings are incomplete. It must run before the backend
 * starts: Backstage's core services connect to the database before any module's
 * init could report the problem.
 */
export async function assertDatabaseConfig(): Promise<void> {
  const config = await ConfigSources.toConfig(ConfigSources.default({}));
  const problem = checkDatabaseConfig(config);
  config.close();
  if (problem) {
    process.stderr.write(`\n${problem}\n\n`);
    process.exit(1);
  }
}
