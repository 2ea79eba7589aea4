import { Config } from '@backstage/config';
import { ConfigSources } from '@backstage/config-loader';

const REQUIRED_PG_KEYS = [
  ['host', 'POSTGRES_HOST'],
  ['port', 'POSTGRES_PORT'],
  ['user', 'POSTGRES_USER'],
  ['password', 'POSTGRES_PASSWORD'],
] as const;

/** The OIDC provider's settings, and the variables app-config.production.yaml reads them from. */
const REQUIRED_OIDC_KEYS = [
  ['metadataUrl', 'AUTH_OIDC_METADATA_URL'],
  ['clientId', 'AUTH_OIDC_CLIENT_ID'],
  ['clientSecret', 'AUTH_OIDC_CLIENT_SECRET'],
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

/** True when the configuration is the production one (`auth.environment: production`). */
export function isProductionConfig(config: Config): boolean {
  return config.getOptionalString('auth.environment') === 'production';
}

/**
 * The checks of a production configuration (`auth.environment: production`, which
 * app-config.production.yaml sets) beyond the database: every replica must share one chat
 * store, one cache and a real sign-in provider. Returns one message per problem, each naming
 * the key and the environment variable that sets it; none for a development configuration.
 */
export function checkProductionConfig(config: Config): string[] {
  if (!isProductionConfig(config)) {
    return [];
  }
  const problems: string[] = [];

  if (!config.getOptionalString('ragChat.store.connection')) {
    problems.push(
      'ragChat.store.connection is not set: in production every replica must use one shared ' +
        'PostgreSQL database with pgvector for the chat (otherwise each starts its own embedded ' +
        'store). Set RAG_CHAT_STORE_URL to its connection string, e.g. ' +
        'postgres://user:password@host:5432/vectors (see app-config.production.yaml).',
    );
  }

  if (
    config.getOptionalString('backend.cache.store') === 'redis' &&
    !config.getOptional('backend.cache.connection')
  ) {
    problems.push(
      'backend.cache.connection is not set although backend.cache.store is redis. ' +
        'Set REDIS_URL, e.g. redis://redis:6379 (see app-config.production.yaml).',
    );
  }

  const providers = config.getOptionalConfig('auth.providers');
  const signInProviders = (providers?.keys() ?? []).filter(
    id => id !== 'guest',
  );
  if (signInProviders.length === 0) {
    problems.push(
      'auth.providers has no sign-in provider besides guest, and guest sign-in works only in ' +
        'development. Configure auth.providers.oidc (AUTH_OIDC_METADATA_URL, ' +
        'AUTH_OIDC_CLIENT_ID, AUTH_OIDC_CLIENT_SECRET; see app-config.production.yaml).',
    );
  }
  if (signInProviders.includes('oidc')) {
    const oidc = providers?.getOptionalConfig('oidc.production');
    const missing = REQUIRED_OIDC_KEYS.filter(([key]) => !oidc?.has(key));
    if (missing.length > 0) {
      problems.push(
        `${missing
          .map(([key]) => `auth.providers.oidc.production.${key}`)
          .join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set. ` +
          `Set ${missing
            .map(([, env]) => env)
            .join(', ')} (see app-config.production.yaml).`,
      );
    }
    if (!config.getOptionalString('auth.session.secret')) {
      problems.push(
        'auth.session.secret is not set: OIDC sign-in keeps its state in a session. ' +
          'Set AUTH_SESSION_SECRET to a long random string, the same on every replica.',
      );
    }
  }
  return problems;
}

/**
 * Loads the configuration the backend is about to start with (same `--config`
 * arguments and APP_CONFIG_ variables) and exits with a clear message when the
 * production settings are incomplete. It must run before the backend starts:
 * Backstage's core services connect to the database before any module's init
 * could report the problem. Returns the configuration it read.
 */
export async function assertProductionConfig(): Promise<Config> {
  const config = await ConfigSources.toConfig(ConfigSources.default({}));
  const problems = [
    checkDatabaseConfig(config),
    ...checkProductionConfig(config),
  ].filter((p): p is string => Boolean(p));
  config.close();
  if (problems.length > 0) {
    process.stderr.write(
      `\nThe backend cannot start with this configuration:\n${problems
        .map(p => `  - ${p}`)
        .join('\n')}\n\n`,
    );
    process.exit(1);
  }
  return config;
}
