import { CacheManager } from '@backstage/backend-defaults/cache';
import { ConfigReader } from '@backstage/config';
import { RateLimitError, RateLimiter } from './access';

describe('RateLimiter', () => {
  it('counts a user’s questions across replicas that share the cache', async () => {
    // Backstage's memory cache; in production the same calls go to Redis.
    const cache = CacheManager.fromConfig(
      new ConfigReader({ backend: { cache: { store: 'memory' } } }),
    ).forPlugin('rag-chat');
    const replicaA = new RateLimiter(cache, 2);
    const replicaB = new RateLimiter(cache, 2);
    const t = Date.now();
    await replicaA.check('user:default/alice', t);
    await replicaB.check('user:default/alice', t + 1000);
    const third = replicaA.check('user:default/alice', t + 2000);
    await expect(third).rejects.toBeInstanceOf(RateLimitError);
    await expect(third).rejects.toThrow(
      /at most 2 a minute \(ragChat\.limits\.questionsPerMinute\); try again in 58 s/,
    );
    // Another user has a window of their own.
    await expect(
      replicaB.check('user:default/bob', t + 2000),
    ).resolves.toBeUndefined();
    // A minute after the first question, one more fits.
    await expect(
      replicaB.check('user:default/alice', t + 60_500),
    ).resolves.toBeUndefined();
    await expect(
      replicaA.check('user:default/alice', t + 60_600),
    ).rejects.toBeInstanceOf(RateLimitError);
  });
});
