/*
 * Production mode: the backend with app-config.yaml + app-config.production.yaml.
 * - Without the production settings it refuses to start and names the keys (no sandbox needed).
 * - Against the sandbox's PostgreSQL 15 (Backstage's data, the chat's pgvector store), Redis and
 *   OpenID Provider, it runs its migrations, serves the catalog, offers OIDC sign-in through the
 *   IdP with PKCE and no guest sign-in. Needs `scripts/sandbox up postgres redis idp` and its
 *   settings (eval "$(scripts/sandbox env)").
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

/** `yarn start` of this package with the two config files, in its own process group. */
function startBackend(env: Record<string, string | undefined>) {
  const child = spawn(
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
        // Only what the test passes: none of the production variables of the caller's shell.
        PORTAL_BASE_URL: undefined,
        POSTGRES_HOST: undefined,
        POSTGRES_PORT: undefined,
        POSTGRES_USER: undefined,
        POSTGRES_PASSWORD: undefined,
        RAG_CHAT_STORE_URL: undefined,
        REDIS_URL: undefined,
        AUTH_OIDC_METADATA_URL: undefined,
        AUTH_OIDC_CLIENT_ID: undefined,
        AUTH_OIDC_CLIENT_SECRET: undefined,
        AUTH_SESSION_SECRET: undefined,
        NODE_ENV: 'production',
        ...env,
      },
    },
  );
  let output = '';
  child.stdout?.on('data', d => (output += d));
  child.stderr?.on('data', d => (output += d));
  return { child, output: () => output };
}

function stop(child: ChildProcess | undefined) {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/** Every production variable, with values that need no running server. */
const unreachable = {
  PORTAL_BASE_URL: 'http://127.0.0.1:1',
  POSTGRES_HOST: '127.0.0.1',
  POSTGRES_PORT: '1',
  POSTGRES_USER: 'nobody',
  POSTGRES_PASSWORD: 'nothing',
  RAG_CHAT_STORE_URL: 'postgres://nobody:nothing@127.0.0.1:1/vectors',
  REDIS_URL: 'redis://127.0.0.1:1',
  AUTH_OIDC_METADATA_URL: 'http://127.0.0.1:1/.well-known/openid-configuration',
  AUTH_OIDC_CLIENT_ID: 'portal',
  AUTH_OIDC_CLIENT_SECRET: 'secret',
  AUTH_SESSION_SECRET: 'a-session-secret',
};

/**
 * Waits for the preflight's refusal. `yarn start` (the CLI's watching runner) outlives the
 * backend process, which exits with status 1 after printing it.
 */
async function refusal(backend: ReturnType<typeof startBackend>) {
  await poll(
    () =>
      `no refusal; the backend's output:\n${backend.output().slice(-3000)}\n`,
    120_000,
    async () =>
      backend
        .output()
        .includes('The backend cannot start with this configuration')
        ? true
        : undefined,
  );
  // It stopped there: nothing listens.
  await sleep(2000);
  expect(backend.output()).not.toMatch(/Listening on/);
}

describe('production configuration', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach(stop));

  it('refuses to start without a chat store, naming ragChat.store.connection', async () => {
    const backend = startBackend({
      ...unreachable,
      RAG_CHAT_STORE_URL: undefined,
    });
    children.push(backend.child);
    await refusal(backend);
    expect(backend.output()).toContain('ragChat.store.connection is not set');
    expect(backend.output()).toContain('RAG_CHAT_STORE_URL');
    expect(backend.output()).not.toContain('auth.providers has no');
  });

  it('refuses to start with guest as the only sign-in provider, naming auth.providers', async () => {
    const backend = startBackend({
      ...unreachable,
      // The OIDC provider removed, guest put back: what a production config must not be.
      APP_CONFIG_auth_providers: JSON.stringify({ oidc: null, guest: {} }),
    });
    children.push(backend.child);
    await refusal(backend);
    expect(backend.output()).toContain(
      'auth.providers has no sign-in provider besides guest',
    );
    expect(backend.output()).not.toContain('ragChat.store.connection');
  });
});

describe('backend in production mode on the sandbox', () => {
  let backend: ReturnType<typeof startBackend> | undefined;
  let baseUrl: string;
  const token = randomBytes(24).toString('hex');

  beforeAll(async () => {
    for (const name of [
      'POSTGRES_HOST',
      'POSTGRES_PORT',
      'POSTGRES_USER',
      'POSTGRES_PASSWORD',
      'SANDBOX_PG_VECTOR_URL',
      'SANDBOX_REDIS_URL',
      'SANDBOX_OIDC_ISSUER',
      'SANDBOX_OIDC_CLIENT_ID',
      'SANDBOX_OIDC_CLIENT_SECRET',
    ]) {
      if (!process.env[name]) {
        throw new Error(
          `${name} is not set: run "scripts/sandbox up postgres redis idp" and eval "$(scripts/sandbox env)"`,
        );
      }
    }
    const port = await freePort();
    // The IdP allows redirects to 127.0.0.1:7007 and :57080 only; the start request below
    // is checked up to the IdP's authorization endpoint, which does not redirect back.
    baseUrl = `http://127.0.0.1:${port}`;
    backend = startBackend({
      PORTAL_BASE_URL: baseUrl,
      POSTGRES_HOST: process.env.POSTGRES_HOST,
      POSTGRES_PORT: process.env.POSTGRES_PORT,
      POSTGRES_USER: process.env.POSTGRES_USER,
      POSTGRES_PASSWORD: process.env.POSTGRES_PASSWORD,
      RAG_CHAT_STORE_URL: process.env.SANDBOX_PG_VECTOR_URL,
      REDIS_URL: process.env.SANDBOX_REDIS_URL,
      AUTH_OIDC_METADATA_URL: `${process.env.SANDBOX_OIDC_ISSUER}/.well-known/openid-configuration`,
      AUTH_OIDC_CLIENT_ID: process.env.SANDBOX_OIDC_CLIENT_ID,
      AUTH_OIDC_CLIENT_SECRET: process.env.SANDBOX_OIDC_CLIENT_SECRET,
      AUTH_SESSION_SECRET: randomBytes(24).toString('hex'),
      APP_CONFIG_backend_listen: JSON.stringify({ host: '127.0.0.1', port }),
      APP_CONFIG_catalog_locations: JSON.stringify([
        { type: 'file', target: '../../catalog-info.yaml' },
      ]),
      // A static token for the test's API calls: production has no guest sign-in.
      APP_CONFIG_backend_auth_externalAccess: JSON.stringify([
        { type: 'static', options: { token, subject: 'production-test' } },
      ]),
    });
  });

  afterAll(async () => {
    stop(backend?.child);
    await sleep(1000);
  });

  it('migrates PostgreSQL, serves the catalog and signs in through the IdP only', async () => {
    await poll(
      () =>
        `backend not ready; its output:\n${backend!.output().slice(-3000)}\n`,
      150_000,
      async () =>
        (
          await fetch(`${baseUrl}/.backstage/health/v1/readiness`)
        ).ok
          ? true
          : undefined,
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
      expect.arrayContaining(['webapp', 'eks-nodegroup-gpu', 'bruno.costa']),
    );

    // No guest sign-in in production.
    const guest = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
    expect(guest.status).toBe(404);

    // OIDC: the start of the popup flow sends the browser to the IdP's authorization
    // endpoint with a PKCE challenge and the portal's own callback.
    const start = await fetch(
      `${baseUrl}/api/auth/oidc/start?scope=openid%20profile%20email&env=production`,
      { redirect: 'manual' },
    );
    expect(start.status).toBe(302);
    const location = new URL(start.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toMatch(
      new RegExp(`^${process.env.SANDBOX_OIDC_ISSUER}/`),
    );
    expect(location.searchParams.get('client_id')).toBe(
      process.env.SANDBOX_OIDC_CLIENT_ID,
    );
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('redirect_uri')).toBe(
      `${baseUrl}/api/auth/oidc/handler/frame`,
    );
    expect(location.searchParams.get('prompt')).toBeNull();

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
