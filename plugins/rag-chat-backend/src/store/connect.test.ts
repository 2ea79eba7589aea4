import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { connectStore } from './connect';

jest.setTimeout(120_000);

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
  });
});
