import { BackstageCredentials } from '@backstage/backend-plugin-api';
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

/** A sliding one-minute window of questions per user. */
export class RateLimiter {
  private readonly asked = new Map<string, number[]>();

  constructor(private readonly perMinute: number) {}

  check(userRef: string, now = Date.now()) {
    const recent = (this.asked.get(userRef) ?? []).filter(
      t => now - t < 60_000,
    );
    if (recent.length >= this.perMinute) {
      const waitSeconds = Math.ceil((recent[0] + 60_000 - now) / 1000);
      throw new RateLimitError(
        `Too many questions: at most ${this.perMinute} a minute (ragChat.limits.questionsPerMinute); try again in ${waitSeconds} s`,
      );
    }
    recent.push(now);
    this.asked.set(userRef, recent);
  }
}
