import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';
import { readRagChatConfig } from '../config';
import { IndexRunResult, SyncCounts } from './Indexer';
import { CacheManager } from '@backstage/backend-defaults/cache';
import {
  IndexRuns,
  IndexRunsStateStore,
  cachedIndexRunsState,
  catalogSettling,
} from './IndexRuns';

const counts = (c: Partial<SyncCounts>): SyncCounts => ({
  added: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  embeddedChunks: 0,
  ...c,
});
const run = (entity?: Partial<SyncCounts>): IndexRunResult => ({
  startedAt: new Date(0).toISOString(),
  durationMs: 1,
  ...(entity ? { entity: counts(entity) } : {}),
  doc: counts({ unchanged: 2 }),
});
const settled = run({ unchanged: 5 });

describe('catalogSettling', () => {
  it('is settling until a run finds the catalog read and unchanged', () => {
    expect(catalogSettling(undefined, true)).toBe(true);
    expect(catalogSettling(run(), true)).toBe(true);
    expect(catalogSettling(run({ unchanged: 5, error: 'x' }), true)).toBe(true);
    expect(catalogSettling(run({ unchanged: 5, added: 1 }), true)).toBe(true);
    expect(catalogSettling(run({ unchanged: 5, updated: 1 }), true)).toBe(true);
    expect(catalogSettling(run({ unchanged: 5, deleted: 1 }), true)).toBe(true);
    // An empty catalog so far: it may still be processing its locations.
    expect(catalogSettling(run({ unchanged: 0 }), true)).toBe(true);
    expect(catalogSettling(settled, true)).toBe(false);
  });

  it('does not wait for a catalog that is not indexed', () => {
    expect(catalogSettling(run(), false)).toBe(false);
    expect(catalogSettling(undefined, false)).toBe(true);
  });
});

describe('IndexRuns', () => {
  const config = readRagChatConfig(
    new ConfigReader({ ragChat: { index: { intervalMinutes: 10 } } }),
  );
  const minute = 60_000;

  /** Index runs whose indexer answers the given results one after another. */
  function runs(...results: Array<IndexRunResult | Error>) {
    return runsWith(undefined, ...results);
  }

  function runsWith(
    state: IndexRunsStateStore | undefined,
    ...results: Array<IndexRunResult | Error>
  ) {
    const started: number[] = [];
    const indexRuns = new IndexRuns({
      config,
      logger: mockServices.logger.mock(),
      state,
      indexer: async () => ({
        run: async () => {
          started.push(started.length);
          const next = results.shift();
          if (!next) throw new Error('no more runs expected');
          if (next instanceof Error) throw next;
          return next;
        },
      }),
    });
    return { indexRuns, started };
  }

  it('runs at every check while the catalog settles, then at the configured interval', async () => {
    const { indexRuns, started } = runs(
      run({ added: 3 }),
      run({ unchanged: 3, updated: 1 }),
      settled,
      settled,
    );
    await indexRuns.runIfDue(0);
    await indexRuns.runIfDue(30_000);
    await indexRuns.runIfDue(60_000);
    expect(started).toHaveLength(3);
    // Settled: nothing until ragChat.index.intervalMinutes after the last start.
    expect(await indexRuns.runIfDue(60_000 + 9 * minute)).toBeUndefined();
    expect(started).toHaveLength(3);
    expect(await indexRuns.runIfDue(60_000 + 10 * minute)).toBe(settled);
    expect(started).toHaveLength(4);
  });

  it('keeps a run due while the store is down, and reports why', async () => {
    const down = new ServiceUnavailableError(
      "The chat's vector store refused the connection (ECONNREFUSED). Check ragChat.store.connection",
    );
    const { indexRuns, started } = runs(down, settled);
    await expect(indexRuns.runIfDue(0)).rejects.toBe(down);
    expect(await indexRuns.state()).toEqual({
      lastRunAt: undefined,
      lastRunError: down.message,
      running: false,
    });
    await indexRuns.runIfDue(30_000);
    expect(started).toHaveLength(2);
    expect(await indexRuns.state()).toEqual({
      lastRunAt: settled.startedAt,
      lastRunError: undefined,
      running: false,
    });
  });

  it('names the source that failed and its key, and shares a running run', async () => {
    const failed = run({ unchanged: 2, error: 'refused the connection' });
    const { indexRuns, started } = runs(failed);
    const first = indexRuns.run();
    const second = indexRuns.run();
    expect((await indexRuns.state()).running).toBe(true);
    expect(await first).toBe(failed);
    expect(await second).toBe(failed);
    expect(started).toHaveLength(1);
    expect((await indexRuns.state()).lastRunError).toBe(
      'catalog (ragChat.sources.catalog): refused the connection',
    );
  });

  it('shares the schedule and the last run through the cache: a second replica runs nothing early', async () => {
    // Backstage's memory cache (in production the same calls go to Redis).
    const cache = CacheManager.fromConfig(
      new ConfigReader({ backend: { cache: { store: 'memory' } } }),
    ).forPlugin('rag-chat');
    const store = { connection: 'postgres://db/vectors', schema: 'rag_chat' };
    const a = runsWith(cachedIndexRunsState(cache, store), settled);
    const b = runsWith(cachedIndexRunsState(cache, store), settled);
    expect(await a.indexRuns.runIfDue(0)).toBe(settled);
    // The global task lands on replica B next: the run is not due there either.
    expect(await b.indexRuns.runIfDue(30_000)).toBeUndefined();
    expect(b.started).toHaveLength(0);
    expect(await b.indexRuns.state(30_000)).toEqual({
      lastRunAt: settled.startedAt,
      lastRunError: undefined,
      running: false,
    });
    expect(await b.indexRuns.runIfDue(10 * minute)).toBe(settled);
    expect(b.started).toHaveLength(1);
    // Another store (here another schema) on the same cache has runs of its own.
    const other = runsWith(
      cachedIndexRunsState(cache, { ...store, schema: 'rag_chat_2' }),
      settled,
    );
    expect(await other.indexRuns.runIfDue(10 * minute + 1)).toBe(settled);
  });
});
