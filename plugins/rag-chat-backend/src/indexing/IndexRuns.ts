import { LoggerService } from '@backstage/backend-plugin-api';
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

/**
 * Index runs: one at a time (a second caller shares the running one), the last
 * run's result and what failed in it (safe to show: the Indexer logs the full
 * errors), and when the next scheduled run is due: every
 * ragChat.index.intervalMinutes, or at every check while the catalog settles.
 */
export class IndexRuns {
  private last?: IndexRunResult;
  private lastError?: string;
  private current?: Promise<IndexRunResult>;
  /** When the scheduled task last started a run (ms since the epoch; 0: never). */
  private lastScheduledAt = 0;

  constructor(
    private readonly options: {
      config: RagChatConfig;
      logger: LoggerService;
      /** The indexer of the open store; rejects with ServiceUnavailableError while it is down. */
      indexer: () => Promise<Pick<Indexer, 'run'>>;
    },
  ) {}

  /** What the chat's status reports about the index runs. */
  get state(): { lastRunAt?: string; lastRunError?: string; running: boolean } {
    return {
      lastRunAt: this.last?.startedAt,
      lastRunError: this.lastError,
      running: !!this.current,
    };
  }

  /** What the scheduled task runs at every check: a run when one is due. */
  async runIfDue(now = Date.now()): Promise<IndexRunResult | undefined> {
    const { config } = this.options;
    const intervalMs = config.index.intervalMinutes * 60_000;
    const settling = catalogSettling(this.last, config.sources.catalog.enabled);
    if (!settling && now - this.lastScheduledAt < intervalMs) return undefined;
    this.lastScheduledAt = now;
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

  private async runOnce(): Promise<IndexRunResult> {
    try {
      const indexer = await this.options.indexer();
      const result = await indexer.run();
      this.last = result;
      const errors = (['entity', 'doc', 'ingestor'] as const)
        .map(
          k => result[k]?.error && `${INDEX_SOURCES[k]}: ${result[k]?.error}`,
        )
        .filter(Boolean);
      this.lastError = errors.length ? errors.join('; ') : undefined;
      return result;
    } catch (error) {
      if (error instanceof ServiceUnavailableError) {
        this.lastError = error.message;
      } else {
        this.lastError = `The index run ${describeFailure(
          error,
        )}; the backend log has the details.`;
        this.options.logger.error('RAG chat: the index run failed', {
          error: String(error),
        });
      }
      throw error;
    }
  }
}
