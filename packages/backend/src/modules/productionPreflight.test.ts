import { ConfigReader } from '@backstage/config';
import { checkDatabaseConfig } from './productionPreflight';

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
