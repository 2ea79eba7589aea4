import { createHash } from 'node:crypto';
import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { RagChatConfig } from '../config';
import { describeFailure } from '../service/errors';
import { IndexRunResult, Indexer } from './Indexer';

/** How often the scheduled task asks whether a run is due. */
export const INDEX_CHECK_SECONDS = 30;

/** The index's sources as the status names them, with the keys behind them. */
const INDEX_SOURCES = {
  entity: 'catalog (ragChat.sources.catalog)',
  doc: 'docs (ragChat.sources.docs.paths)',
  techdocs: 'TechDocs (ragChat.sources.techdocs)',
  ingestor: "ingestors' embeddings (ragChat.sources.ingestorEmbeddings)",
} as const;

/**
 * Whether the catalog is still settling after start-up: no run yet, the catalog
 * not read yet or read with an error, or the last run still found entities that
 * changed (or none at all), as while the catalog's first processing goes on.
 */
export function catalogSettling(
  last: IndexRunResult | undefined,
  catalogEnabled: boolean,
): boolean {
  if (!last) return true;
  const entity = last.entity;
  if (!entity) return catalogEnabled;
  return (
    !!entity.error ||
    entity.added + entity.updated + entity.deleted > 0 ||
    entity.unchanged === 0
  );
}

/** What the index runs remember between checks; JSON, so a shared cache can hold it. */
export interface IndexRunsState {
  last?: IndexRunResult;
  lastError?: string;
  /** When a scheduled check last started a run (ms since the epoch; 0: never). */
  lastScheduledAt: number;
  /** When the run under way started, on whichever replica. */
  runningSince?: number;
}

/** Where the index runs' state lives: this process, or a cache every replica shares. */
export interface IndexRunsStateStore {
  read(): Promise<IndexRunsState>;
  write(state: IndexRunsState): Promise<void>;
}

/** The state in this process: the embedded store is this process's own. */
export function memoryIndexRunsState(): IndexRunsStateStore {
  let state: IndexRunsState = { lastScheduledAt: 0 };
  return {
    read: async () => state,
    write: async next => {
      state = next;
    },
  };
}

/** Longer than any interval between runs; the state is only a schedule and a report. */
const STATE_TTL_MS = 7 * 24 * 3600_000;

/**
 * The state in coreServices.cache (Redis in production), for a store that replicas
 * share: the global index task lands on any replica, and every replica's status
 * reports the same last run. A lost entry only makes the next check run (incremental).
 */
export function cachedIndexRunsState(
  cache: CacheService,
  /** The store's connection and schema: another store has runs of its own. */
  store: { connection: string; schema: string },
): IndexRunsStateStore {
  // Hashed: the connection string may hold a password.
  const key = `index-runs:${createHash('sha256')
    .update(`${store.connection}|${store.schema}`)
    .digest('hex')
    .slice(0, 24)}`;
  return {
    read: async () =>
      ((await cache.get(key)) as IndexRunsState | undefined) ?? {
        lastScheduledAt: 0,
      },
    write: state =>
      cache.set(key, JSON.parse(JSON.stringify(state)), {
        ttl: STATE_TTL_MS,
      }),
  };
}

/** A run not reported finished after this long no longer counts as running (the task's timeout). */
const RUN_TIMEOUT_MS = 30 * 60_000;

/**
 * Index runs: one at a time (a second caller shares the running one), the last
 * run's result and what failed in it (safe to show: the Indexer logs the full
 * errors), and when the next scheduled run is due: every
 * ragChat.index.intervalMinutes, or at every check while the catalog settles.
 * The state is in `options.state` (this process, or the shared cache).
 */
export class IndexRuns {
  private current?: Promise<IndexRunResult>;
  private readonly stateStore: IndexRunsStateStore;

  constructor(
    private readonly options: {
      config: RagChatConfig;
      logger: LoggerService;
      /** The indexer of the open store; rejects with ServiceUnavailableError while it is down. */
      indexer: () => Promise<Pick<Indexer, 'run'>>;
      /** Default: this process's memory. */
      state?: IndexRunsStateStore;
    },
  ) {
    this.stateStore = options.state ?? memoryIndexRunsState();
  }

  /** What the chat's status reports about the index runs. */
  async state(
    now = Date.now(),
  ): Promise<{ lastRunAt?: string; lastRunError?: string; running: boolean }> {
    const state = await this.stateStore.read();
    return {
      lastRunAt: state.last?.startedAt,
      lastRunError: state.lastError,
      running:
        !!this.current ||
        (state.runningSince !== undefined &&
          now - state.runningSince < RUN_TIMEOUT_MS),
    };
  }

  /** What the scheduled task runs at every check: a run when one is due. */
  async runIfDue(now = Date.now()): Promise<IndexRunResult | undefined> {
    const { config } = this.options;
    const intervalMs = config.index.intervalMinutes * 60_000;
    const state = await this.stateStore.read();
    const settling = catalogSettling(
      state.last,
      config.sources.catalog.enabled,
    );
    if (!settling && now - state.lastScheduledAt < intervalMs) return undefined;
    await this.stateStore.write({ ...state, lastScheduledAt: now });
    return this.run();
  }

  /** One incremental run now, or the one already running. */
  run(): Promise<IndexRunResult> {
    if (!this.current) {
      this.current = this.runOnce().finally(() => {
        this.current = undefined;
      });
    }
    return this.current;
  }

  private async update(change: Partial<IndexRunsState>) {
    const state = await this.stateStore.read();
    await this.stateStore.write({ ...state, ...change });
  }

  private async runOnce(): Promise<IndexRunResult> {
    await this.update({ runningSince: Date.now() });
    try {
      const indexer = await this.options.indexer();
      const result = await indexer.run();
      const errors = (['entity', 'doc', 'techdocs', 'ingestor'] as const)
        .map(
          k => result[k]?.error && `${INDEX_SOURCES[k]}: ${result[k]?.error}`,
        )
        .filter(Boolean);
      await this.update({
        last: result,
        lastError: errors.length ? errors.join('; ') : undefined,
        runningSince: undefined,
      });
      return result;
    } catch (error) {
      let lastError: string;
      if (error instanceof ServiceUnavailableError) {
        lastError = error.message;
      } else {
        lastError = `The index run ${describeFailure(
          error,
        )}; the backend log has the details.`;
        this.options.logger.error('RAG chat: the index run failed', {
          error: String(error),
        });
      }
      await this.update({ lastError, runningSince: undefined }).catch(
        () => undefined,
      );
      throw error;
    }
  }
}
