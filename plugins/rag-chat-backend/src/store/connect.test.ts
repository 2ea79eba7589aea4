import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { StoreConnection, connectStore } from './connect';

jest.setTimeout(120_000);

/** The TCP sockets this process listens on (from /proc: its socket fds that are in LISTEN state). */
function listeningTcpPorts(): number[] {
  const inodes = new Set(
    readdirSync('/proc/self/fd')
      .map(fd => {
        try {
          return /^socket:\[(\d+)\]$/.exec(
            readlinkSync(`/proc/self/fd/${fd}`),
          )?.[1];
        } catch {
          return undefined; // closed meanwhile
        }
      })
      .filter((inode): inode is string => !!inode),
  );
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is cols[1] (hex ip:port), st is cols[3] (0A = LISTEN), inode is cols[9].
      if (cols[3] === '0A' && inodes.has(cols[9])) {
        ports.push(parseInt(cols[1].split(':')[1], 16));
      }
    }
  }
  return ports;
}

describe('connectStore, embedded PGlite', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rag-chat-store-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates a data directory whose parents do not exist yet, and keeps its data across restarts', async () => {
    // As on a fresh clone: ragChat.store.dataDir is ../../.portal-data/rag-chat-pglite.
    const dataDir = path.join(root, '.portal-data', 'rag-chat-pglite');
    const logger = mockServices.logger.mock();
    const first = await connectStore({ dataDir, logger });
    try {
      await first.pool.query('CREATE TABLE kept (n integer)');
      await first.pool.query('INSERT INTO kept VALUES (42)');
    } finally {
      await first.close();
    }
    const second = await connectStore({ dataDir, logger });
    try {
      const { rows } = await second.pool.query('SELECT n FROM kept');
      expect(rows).toEqual([{ n: 42 }]);
    } finally {
      await second.close();
    }
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  describe('reachable by this user only', () => {
    let store: StoreConnection;
    let tcpBefore: number[];
    beforeAll(async () => {
      tcpBefore = listeningTcpPorts();
      store = await connectStore({ logger: mockServices.logger.mock() });
      await store.pool.query('SELECT 1');
    });
    afterAll(() => store?.close());

    it('listens on no TCP port, only on a Unix socket of mode 0600 in a directory of mode 0700', () => {
      // Before, pglite-socket listened on 127.0.0.1 with no password.
      expect(listeningTcpPorts()).toEqual(tcpBefore);
      const socket = store.socketPath!;
      const stat = statSync(socket);
      expect(stat.isSocket()).toBe(true);
      expect(stat.mode & 0o777).toBe(0o600);
      const dir = statSync(path.dirname(socket));
      expect(dir.mode & 0o777).toBe(0o700);
      expect(dir.uid).toBe(process.getuid!());
    });

    // Only root can run a process as another user; the modes checked above are what
    // enforce it for everyone else.
    (process.getuid?.() === 0 ? describe : describe.skip)('run as root', () => {
      it('refuses another local user (nobody) at the socket', () => {
        const probe = spawnSync(
          '/usr/bin/python3',
          [
            '-c',
            'import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n s.connect(sys.argv[1]); print("connected")\nexcept OSError as e:\n print(type(e).__name__)',
            store.socketPath!,
          ],
          { uid: 65534, gid: 65534, encoding: 'utf8' },
        );
        expect(probe.error).toBeUndefined();
        expect(probe.stdout.trim()).toBe('PermissionError');
        // The same probe as this user connects: the refusal is the permissions, not the probe.
        const own = spawnSync(
          '/usr/bin/python3',
          [
            '-c',
            'import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1]); print("connected")',
            store.socketPath!,
          ],
          { encoding: 'utf8' },
        );
        expect(own.stdout.trim()).toBe('connected');
      });
    });

    it('removes the socket directory at close', async () => {
      const other = await connectStore({ logger: mockServices.logger.mock() });
      const dir = path.dirname(other.socketPath!);
      expect(existsSync(dir)).toBe(true);
      await other.close();
      expect(existsSync(dir)).toBe(false);
    });
  });
});
