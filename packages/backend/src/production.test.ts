/*
 * Production mode against the sandbox's PostgreSQL 15: the backend starts with
 * app-config.production.yaml, runs its migrations and serves the catalog.
 * Needs `scripts/sandbox up postgres` and its settings (eval "$(scripts/sandbox env)").
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Client } from 'pg';

jest.setTimeout(240_000);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function poll<T>(
  what: () => string,
  limitMs: number,
  fn: () => Promise<T | undefined>,
) {
  const end = Date.now() + limitMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end)
      throw new Error(`${what()} within ${limitMs / 1000}s`);
    await sleep(1000);
  }
}

/** A free port: another backend on this machine (a dev or e2e run) may hold any fixed one. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolvePort(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

describe('backend in production mode', () => {
  let backend: ChildProcess | undefined;
  let output = '';
  let port: number;
  let baseUrl: string;

  beforeAll(async () => {
    port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    for (const name of [
      'POSTGRES_HOST',
      'POSTGRES_PORT',
      'POSTGRES_USER',
      'POSTGRES_PASSWORD',
    ]) {
      if (!process.env[name]) {
        throw new Error(
          `${name} is not set: run "scripts/sandbox up postgres" and eval "$(scripts/sandbox env)"`,
        );
      }
    }
  });

  afterAll(async () => {
    if (backend?.pid) {
      process.kill(-backend.pid, 'SIGTERM');
      await sleep(1000);
    }
  });

  it('migrates PostgreSQL and serves the catalog', async () => {
    backend = spawn(
      'yarn',
      [
        'start',
        '--config',
        '../../app-config.yaml',
        '--config',
        '../../app-config.production.yaml',
      ],
      {
        cwd: resolve(__dirname, '..'),
        detached: true,
        env: {
          ...process.env,
          // jest sets NODE_ENV=test; guest sign-in is for development only.
          NODE_ENV: 'development',
          PORTAL_BASE_URL: baseUrl,
          APP_CONFIG_backend_listen: JSON.stringify({
            host: '127.0.0.1',
            port,
          }),
          APP_CONFIG_catalog_locations: JSON.stringify([
            { type: 'file', target: '../../catalog-info.yaml' },
          ]),
        },
      },
    );
    backend.stdout?.on('data', d => (output += d));
    backend.stderr?.on('data', d => (output += d));

    await poll(
      () => `backend not ready; its output:\n${output.slice(-3000)}\n`,
      150_000,
      async () =>
        (
          await fetch(`${baseUrl}/.backstage/health/v1/readiness`)
        ).ok
          ? true
          : undefined,
    );
    const token = await poll(
      () => 'no guest token',
      20_000,
      async () => {
        const res = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
          headers: { 'X-Requested-With': 'XMLHttpRequest' },
        });
        return res.ok ? (await res.json()).backstageIdentity.token : undefined;
      },
    );
    const names = await poll(
      () => 'catalog not filled',
      60_000,
      async () => {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/by-query?limit=200&fields=metadata.name`,
          { headers: { Authorization: `Bearer ${token}` } },
        );
        const items: { metadata: { name: string } }[] = (await res.json())
          .items;
        return items.length >= 39 ? items.map(i => i.metadata.name) : undefined;
      },
    );
    expect(names).toEqual(
      expect.arrayContaining(['webapp', 'eks-nodegroup-gpu']),
    );

    // The catalog's tables live in PostgreSQL, not SQLite.
    const client = new Client({
      host: process.env.POSTGRES_HOST,
      port: Number(process.env.POSTGRES_PORT),
      user: process.env.POSTGRES_USER,
      password: process.env.POSTGRES_PASSWORD,
      database: 'backstage_plugin_catalog',
    });
    await client.connect();
    try {
      const { rows } = await client.query(
        'SELECT count(*)::int AS n FROM final_entities',
      );
      expect(rows[0].n).toBeGreaterThanOrEqual(39);
    } finally {
      await client.end();
    }
  });
});
