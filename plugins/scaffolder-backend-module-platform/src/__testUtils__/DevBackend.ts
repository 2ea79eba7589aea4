import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const PACKAGE_DIR = path.resolve(__dirname, '../..');

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The package's dev backend (dev/index.ts: catalog, scaffolder, this module) as a child
 * process, so that a test can kill it with SIGKILL in the middle of a task, as a crash would,
 * and start it again on the same database.
 */
export class DevBackend {
  private child?: ChildProcess;
  private exited?: Promise<void>;

  constructor(
    private readonly options: {
      configFile: string;
      logFile: string;
      baseUrl: string;
      token: string;
      /** Extra environment of the backend process. */
      env?: Record<string, string>;
    },
  ) {}

  async start() {
    const log = fs.openSync(this.options.logFile, 'a');
    this.child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        path.join(PACKAGE_DIR, 'dev/index.ts'),
        '--config',
        this.options.configFile,
      ],
      {
        cwd: PACKAGE_DIR,
        env: {
          ...process.env,
          NODE_ENV: 'development',
          LOG_LEVEL: 'info',
          ...this.options.env,
        },
        stdio: ['ignore', log, log],
      },
    );
    fs.closeSync(log);
    const child = this.child;
    this.exited = new Promise(resolve => child.once('exit', () => resolve()));
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (
        child.exitCode !== null ||
        this.logTail(400).includes('Backend startup failed')
      ) {
        throw new Error(
          `the dev backend did not start (exit code ${child.exitCode}); log: ${
            this.options.logFile
          }\n${this.logTail()}`,
        );
      }
      const res = await fetch(
        `${this.options.baseUrl}/.backstage/health/v1/readiness`,
      ).catch(() => undefined);
      if (res?.ok) return;
      if (Date.now() > deadline) {
        throw new Error(
          `the dev backend did not become ready within 180 s; log: ${
            this.options.logFile
          }\n${this.logTail()}`,
        );
      }
      await new Promise(r => setTimeout(r, 500));
    }
  }

  get running() {
    return (
      this.child !== undefined &&
      this.child.exitCode === null &&
      this.child.signalCode === null
    );
  }

  /** Kills the backend at once (SIGKILL): no shutdown hook runs, the task is left as it was. */
  async crash() {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** A request to the backend with the static token of its config. */
  async request(
    pathname: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.options.baseUrl}${pathname}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${this.options.token}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body };
  }

  logTail(lines = 40) {
    try {
      return fs
        .readFileSync(this.options.logFile, 'utf8')
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '';
    }
  }
}
