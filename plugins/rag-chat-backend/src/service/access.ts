import {
  BackstageCredentials,
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CustomErrorBase } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** One user's decisions: entity ref → [may read, until (epoch ms)]. */
type Decisions = Record<string, [boolean, number]>;

/**
 * Of some entities, the ones an asker may read: the catalog answers with the asker's
 * own credentials, so its read permission and the platform's policy (a conditional
 * decision, applied by the catalog) decide. It is asked only about the entities that
 * a question's candidate passages come from, never for the whole catalog, and its
 * answers are kept per user and per entity for `ttlMs` in coreServices.cache (shared
 * by replicas), so a user's next questions about the same things do not ask again.
 * The key is the user together with their groups, so no answer serves anyone else,
 * and a user whose groups change starts afresh. When the cache fails, the catalog is
 * asked; a catalog failure fails the question (nothing is assumed readable).
 */
export class ReadableEntities {
  constructor(
    private readonly catalog: CatalogService,
    private readonly cache: CacheService,
    private readonly ttlMs: number,
    private readonly logger?: LoggerService,
  ) {}

  /** The check for one asker: entity refs in, the readable ones out. */
  forAsker(asker: {
    principalRefs: string[];
    credentials: BackstageCredentials;
  }): (entityRefs: string[]) => Promise<Set<string>> {
    const key = `readable-entities:${[...asker.principalRefs]
      .sort()
      .join(',')}`;
    return async entityRefs => {
      if (entityRefs.length === 0) return new Set();
      const now = Date.now();
      const kept = this.ttlMs > 0 ? await this.read(key, now) : {};
      const unknown = entityRefs.filter(ref => !kept[ref]);
      if (unknown.length > 0) {
        const { items } = await this.catalog.getEntitiesByRefs(
          {
            entityRefs: unknown,
            fields: ['kind', 'metadata.namespace', 'metadata.name'],
          },
          { credentials: asker.credentials },
        );
        // In the order asked, null where the entity is missing or not readable.
        unknown.forEach((ref, i) => {
          kept[ref] = [!!items[i], now + this.ttlMs];
        });
        if (this.ttlMs > 0) {
          await this.cache
            .set(key, kept, { ttl: this.ttlMs })
            .catch(error => this.failed(error));
        }
      }
      return new Set(entityRefs.filter(ref => kept[ref][0]));
    };
  }

  /** The decisions still valid at `now`. */
  private async read(key: string, now: number): Promise<Decisions> {
    let stored: Decisions | undefined;
    try {
      stored = await this.cache.get<Decisions>(key);
    } catch (error) {
      this.failed(error);
    }
    const valid: Decisions = {};
    for (const [ref, decision] of Object.entries(stored ?? {})) {
      if (decision[1] > now) valid[ref] = decision;
    }
    return valid;
  }

  private failed(error: unknown) {
    this.logger?.warn('RAG chat: the readable-entities cache failed', {
      error: String(error),
    });
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
