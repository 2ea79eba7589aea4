import {
  BackstageCredentials,
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CustomErrorBase } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * The entities an asker may read, as the catalog answers with the asker's own
 * credentials (so the catalog's read permission and the platform's policy
 * decide), kept for a short while per user.
 */
export class ReadableEntities {
  private readonly cache = new Map<
    string,
    { at: number; refs: Promise<string[]> }
  >();

  constructor(
    private readonly catalog: CatalogService,
    private readonly ttlMs = 30_000,
  ) {}

  async forUser(
    userRef: string,
    credentials: BackstageCredentials,
  ): Promise<string[]> {
    const hit = this.cache.get(userRef);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.refs;
    const refs = this.catalog
      .getEntities(
        { fields: ['kind', 'metadata.namespace', 'metadata.name'] },
        { credentials },
      )
      .then(({ items }) => items.map(e => stringifyEntityRef(e)));
    this.cache.set(userRef, { at: Date.now(), refs });
    refs.catch(() => this.cache.delete(userRef));
    return refs;
  }
}

/** Too many questions from one user: answered with 429. */
export class RateLimitError extends CustomErrorBase {
  name = 'RateLimitError';
  statusCode = 429;
}

const WINDOW_MS = 60_000;

/**
 * A sliding one-minute window of questions per user, in coreServices.cache (memory in
 * development, Redis in production), so that the limit holds across replicas: a
 * user's questions count wherever they are asked. Reading and writing the window are
 * two cache calls, so two questions of one user at the same instant on two replicas
 * may both pass; the limit is against runaway use, not an exact quota. When the cache
 * fails, the question is let through and the failure logged.
 */
export class RateLimiter {
  constructor(
    private readonly cache: CacheService,
    private readonly perMinute: number,
    private readonly logger?: LoggerService,
  ) {}

  async check(userRef: string, now = Date.now()): Promise<void> {
    const key = `questions-per-minute:${userRef}`;
    let asked: number[];
    try {
      asked = ((await this.cache.get<number[]>(key)) ?? []).filter(
        t => now - t < WINDOW_MS,
      );
    } catch (error) {
      this.logger?.warn('RAG chat: the rate limit cache failed', {
        error: String(error),
      });
      return;
    }
    if (asked.length >= this.perMinute) {
      const waitSeconds = Math.ceil((asked[0] + WINDOW_MS - now) / 1000);
      throw new RateLimitError(
        `Too many questions: at most ${this.perMinute} a minute (ragChat.limits.questionsPerMinute); try again in ${waitSeconds} s`,
      );
    }
    asked.push(now);
    await this.cache.set(key, asked, { ttl: WINDOW_MS }).catch(error =>
      this.logger?.warn('RAG chat: the rate limit cache failed', {
        error: String(error),
      }),
    );
  }
}
