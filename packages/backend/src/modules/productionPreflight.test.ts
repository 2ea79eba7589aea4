import { resolve } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ConfigSources } from '@backstage/config-loader';
import {
  checkDatabaseConfig,
  checkProductionConfig,
} from './productionPreflight';

describe('checkDatabaseConfig', () => {
  it('accepts SQLite with no connection settings', () => {
    const config = new ConfigReader({
      backend: { database: { client: 'better-sqlite3' } },
    });
    expect(checkDatabaseConfig(config)).toBeUndefined();
  });

  it('names every missing PostgreSQL setting and its environment variable', () => {
    const config = new ConfigReader({
      backend: { database: { client: 'pg', connection: { port: 5432 } } },
    });
    const message = checkDatabaseConfig(config);
    expect(message).toContain('backend.database.connection.host');
    expect(message).toContain('POSTGRES_HOST');
    expect(message).toContain('POSTGRES_USER');
    expect(message).toContain('POSTGRES_PASSWORD');
    expect(message).not.toContain('POSTGRES_PORT');
  });

  it('accepts a complete PostgreSQL connection', () => {
    const config = new ConfigReader({
      backend: {
        database: {
          client: 'pg',
          connection: { host: 'db', port: 5432, user: 'u', password: 'p' },
        },
      },
    });
    expect(checkDatabaseConfig(config)).toBeUndefined();
  });
});

/** A complete production configuration, as app-config.production.yaml reads it from its variables. */
const production = () => ({
  auth: {
    environment: 'production',
    session: { secret: 'a-long-random-string' },
    providers: {
      oidc: {
        production: {
          metadataUrl:
            'https://idp.example.com/.well-known/openid-configuration',
          clientId: 'portal',
          clientSecret: 'from-the-idp',
        },
      },
    },
  },
  backend: {
    cache: { store: 'redis', connection: 'redis://redis:6379' },
  },
  ragChat: { store: { connection: 'postgres://u:p@db:5432/vectors' } },
});

describe('checkProductionConfig', () => {
  it('accepts a complete production configuration', () => {
    expect(checkProductionConfig(new ConfigReader(production()))).toEqual([]);
  });

  it('checks nothing outside production', () => {
    const config = new ConfigReader({
      auth: { environment: 'development', providers: { guest: {} } },
    });
    expect(checkProductionConfig(config)).toEqual([]);
  });

  it('names ragChat.store.connection and its variable when the chat store is missing', () => {
    const data = production();
    data.ragChat = { store: {} as any };
    const problems = checkProductionConfig(new ConfigReader(data));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^ragChat\.store\.connection is not set/);
    expect(problems[0]).toContain('RAG_CHAT_STORE_URL');
  });

  it('names auth.providers when guest is the only provider', () => {
    const data: any = production();
    data.auth.providers = { guest: {} };
    const problems = checkProductionConfig(new ConfigReader(data));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^auth\.providers has no sign-in provider/);
  });

  it('names auth.providers when there are no providers at all', () => {
    const data: any = production();
    delete data.auth.providers;
    const problems = checkProductionConfig(new ConfigReader(data));
    expect(problems).toEqual([
      expect.stringMatching(/^auth\.providers has no sign-in provider/),
    ]);
  });

  it('names each missing OIDC setting, its variable, and the session secret', () => {
    const data: any = production();
    data.auth.providers.oidc.production = { metadataUrl: 'https://idp' };
    delete data.auth.session;
    const problems = checkProductionConfig(new ConfigReader(data));
    expect(problems).toEqual([
      'auth.providers.oidc.production.clientId, auth.providers.oidc.production.clientSecret are not set. ' +
        'Set AUTH_OIDC_CLIENT_ID, AUTH_OIDC_CLIENT_SECRET (see app-config.production.yaml).',
      expect.stringMatching(
        /^auth\.session\.secret is not set.*AUTH_SESSION_SECRET/,
      ),
    ]);
  });

  it('names backend.cache.connection when the redis store has no connection', () => {
    const data: any = production();
    data.backend.cache = { store: 'redis' };
    const problems = checkProductionConfig(new ConfigReader(data));
    expect(problems).toEqual([
      expect.stringMatching(
        /^backend\.cache\.connection is not set.*REDIS_URL/,
      ),
    ]);
  });
});

describe('app-config.production.yaml', () => {
  /** The repository's two files as a production backend merges them, with these variables. */
  async function load(env: Record<string, string>) {
    const root = resolve(__dirname, '../../../..');
    const config = await ConfigSources.toConfig(
      ConfigSources.defaultForTargets({
        targets: [
          { type: 'path', target: resolve(root, 'app-config.yaml') },
          { type: 'path', target: resolve(root, 'app-config.production.yaml') },
        ],
        substitutionFunc: async name => env[name],
      }),
    );
    config.close();
    return config;
  }

  const complete = {
    PORTAL_BASE_URL: 'https://portal.example.com',
    POSTGRES_HOST: 'db',
    POSTGRES_PORT: '5432',
    POSTGRES_USER: 'backstage',
    POSTGRES_PASSWORD: 'from-a-secret',
    RAG_CHAT_STORE_URL: 'postgres://u:p@db:5432/vectors',
    REDIS_URL: 'redis://redis:6379',
    AUTH_OIDC_METADATA_URL:
      'https://idp.example.com/.well-known/openid-configuration',
    AUTH_OIDC_CLIENT_ID: 'portal',
    AUTH_OIDC_CLIENT_SECRET: 'from-the-idp',
    AUTH_SESSION_SECRET: 'a-long-random-string',
  };

  it('passes every check with all its variables set, and offers oidc only', async () => {
    const config = await load(complete);
    expect(checkDatabaseConfig(config)).toBeUndefined();
    expect(checkProductionConfig(config)).toEqual([]);
    expect(config.getConfig('auth.providers').keys()).toEqual(['oidc']);
    expect(config.getString('backend.cache.connection')).toBe(
      'redis://redis:6379',
    );
  });

  it('names every key whose variable is unset', async () => {
    const config = await load({
      PORTAL_BASE_URL: 'https://portal.example.com',
    });
    const problems = [
      checkDatabaseConfig(config),
      ...checkProductionConfig(config),
    ].join('\n');
    for (const key of [
      'backend.database.connection.host',
      'ragChat.store.connection',
      'backend.cache.connection',
      'auth.providers.oidc.production.metadataUrl',
      'auth.providers.oidc.production.clientId',
      'auth.providers.oidc.production.clientSecret',
      'auth.session.secret',
    ]) {
      expect(problems).toContain(key);
    }
  });

  it('keeps guest sign-in in app-config.yaml alone (development)', async () => {
    const root = resolve(__dirname, '../../../..');
    const config = await ConfigSources.toConfig(
      ConfigSources.defaultForTargets({
        targets: [{ type: 'path', target: resolve(root, 'app-config.yaml') }],
        substitutionFunc: async () => undefined,
      }),
    );
    config.close();
    expect(config.getString('auth.environment')).toBe('development');
    expect(config.has('auth.providers.guest')).toBe(true);
    expect(checkProductionConfig(config)).toEqual([]);
  });
});
