/*
 * Tests of the sandbox's nginx part with Debian's nginx. The running part
 * (SANDBOX_PORTAL_URL) is checked as it stands; the balancing itself is tested
 * on nginx processes started here from the part's own config
 * (`scripts/sandbox nginx config DIR PORT UPSTREAM...`), with two small HTTP
 * servers on free ports as the replicas, so the test neither needs nor
 * disturbs the portal's replicas on 57101/57102.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxEnv } from './env';

jest.setTimeout(60_000);

const env = sandboxEnv();

function portOpen(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A replica: answers with its name and the headers it received. */
class Replica {
  server?: Server;
  port = 0;
  constructor(
    readonly name: string,
    private readonly routes: Record<string, Handler> = {},
  ) {}

  async start(port = 0) {
    this.server = createServer((req, res) => {
      const route = this.routes[req.url ?? ''];
      if (route) {
        route(req, res);
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          replica: this.name,
          port: this.port,
          headers: req.headers,
        }),
      );
    });
    await new Promise<void>(resolve =>
      this.server!.listen(port, '127.0.0.1', resolve),
    );
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop() {
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  }
}

/** nginx with the part's config for a free port in front of the given replicas. */
async function startNginx(replicas: Replica[]) {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-nginx-test-'));
  const port = await freePort();
  const conf = execFileSync(
    env.cli,
    [
      'nginx',
      'config',
      dir,
      String(port),
      ...replicas.map(r => `127.0.0.1:${r.port}`),
    ],
    { encoding: 'utf8' },
  ).trim();
  const child: ChildProcess = spawn(
    env.nginxBin,
    ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf],
    { stdio: 'ignore' },
  );
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (let i = 0; !(await portOpen(port)); i++) {
    if (exited || i > 100) {
      let log = '';
      try {
        log = readFileSync(join(dir, 'error.log'), 'utf8');
      } catch {
        // no log yet
      }
      throw new Error(`nginx did not start on ${port}: ${log}`);
    }
    await new Promise(r => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (!exited) {
        const done = new Promise(resolve => child.once('exit', resolve));
        child.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** GET through nginx: which replica answered, and the upstreams nginx tried in turn. */
async function replicaOf(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    replica: string;
    port: number;
    headers: Record<string, string>;
  };
  const tried = (res.headers.get('x-sandbox-upstream') ?? '').split(', ');
  expect(tried[tried.length - 1]).toBe(`127.0.0.1:${body.port}`);
  return { ...body, tried };
}

describe('sandbox nginx', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Two replicas (routes of each: [a's, b's]) behind an nginx of the part's config. */
  async function stack(
    routes: [Record<string, Handler>, Record<string, Handler>] = [{}, {}],
  ) {
    const a = new Replica('a', routes[0]);
    const b = new Replica('b', routes[1]);
    await a.start();
    await b.start();
    cleanups.push(
      () => a.stop(),
      () => b.stop(),
    );
    const nginx = await startNginx([a, b]);
    cleanups.push(() => nginx.stop());
    return { a, b, nginx };
  }

  it('runs the part on SANDBOX_PORTAL_URL: 502 while no replica listens, proxied when one does', async () => {
    const res = await fetch(`${env.portalUrl}/healthcheck`);
    expect(res.headers.get('server')).toMatch(/^nginx\//);
    const replicasUp = (await portOpen(57101)) || (await portOpen(57102));
    // 502 exactly when no replica listens.
    expect({ status502: res.status === 502 }).toEqual({
      status502: !replicasUp,
    });
  });

  it('balances round robin over both replicas and forwards Host and X-Forwarded-*', async () => {
    const { nginx } = await stack();
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push((await replicaOf(nginx.url)).replica);
    expect(seen.filter(r => r === 'a')).toHaveLength(3);
    expect(seen.filter(r => r === 'b')).toHaveLength(3);
    expect(seen[0]).not.toBe(seen[1]);

    const { headers } = await replicaOf(`${nginx.url}/`);
    expect(headers.host).toBe(`127.0.0.1:${nginx.port}`);
    expect(headers['x-forwarded-host']).toBe(`127.0.0.1:${nginx.port}`);
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-port']).toBe(String(nginx.port));
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('fails over to the other replica when one stops, and answers 502 when both are down', async () => {
    const { a, b, nginx } = await stack();
    await b.stop();
    const tried: string[][] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await replicaOf(nginx.url);
      expect(answer.replica).toBe('a');
      tried.push(answer.tried);
    }
    // b's turn came: nginx tried it, was refused and passed the request on to a.
    const refusedThenA = [`127.0.0.1:${b.port}`, `127.0.0.1:${a.port}`];
    expect(
      tried.filter(t => t.join() === refusedThenA.join()).length,
    ).toBeGreaterThanOrEqual(1);
    await a.stop();
    const res = await fetch(nginx.url);
    expect(res.status).toBe(502);
  });

  it('passes a request that a replica answers with 503 on to the other replica', async () => {
    const unavailable: Handler = (_req, res) => {
      res.statusCode = 503;
      res.end('unavailable');
    };
    const { nginx } = await stack([{ '/flaky': unavailable }, {}]);
    const tried: string[][] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await replicaOf(`${nginx.url}/flaky`);
      expect(answer.replica).toBe('b');
      tried.push(answer.tried);
    }
    expect(tried.some(t => t.length === 2)).toBe(true);
  });

  it('buffers no response: a client that stops reading holds the replica back', async () => {
    // With proxy_buffering on, nginx would take the whole 64 MiB into a temp file and let
    // the replica finish; unbuffered, the replica waits on the client, as a stream must.
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    let finished = false;
    const large: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end(() => {
          finished = true;
        });
      };
      pump();
    };
    const { nginx } = await stack([{ '/large': large }, { '/large': large }]);
    const res = await fetch(`${nginx.url}/large`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    // Stop reading; wait until the replica has written everything or stalled for 2 s.
    let last = -1;
    for (let i = 0; i < 100 && !finished && written !== last; i++) {
      last = written;
      await new Promise(r => setTimeout(r, 2000));
    }
    expect(finished).toBe(false);
    expect(written).toBeLessThan(total);
    await reader.cancel();
  });

  it('streams server-sent events unbuffered: the first event arrives before the replica finishes', async () => {
    let finished = false;
    let release: () => void = () => {};
    const released = new Promise<void>(resolve => {
      release = resolve;
    });
    const events: Handler = (_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
      });
      res.write('data: first\n\n');
      // Holds the rest until the client has the first event (or 20 s pass).
      Promise.race([released, new Promise(r => setTimeout(r, 20_000))]).then(
        () => {
          res.end('data: last\n\n');
          finished = true;
        },
      );
    };
    const { nginx } = await stack([
      { '/events': events },
      { '/events': events },
    ]);
    const res = await fetch(`${nginx.url}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('\n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toBe('data: first\n\n');
    expect(finished).toBe(false);
    release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toBe('data: first\n\ndata: last\n\n');
    expect(finished).toBe(true);
  });
});
