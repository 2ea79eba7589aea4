/*
 * Integration test of the sandbox's Redis (Debian's redis-server), through @redis/client, the
 * client that Backstage's Redis cache store uses.
 */
import { createClient } from '@redis/client';
import { sandboxEnv } from './env';

jest.setTimeout(30_000);

const env = sandboxEnv();

async function withRedis<T>(
  fn: (client: ReturnType<typeof createClient>) => Promise<T>,
) {
  const client = createClient({ url: env.redisUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.quit();
  }
}

describe('sandbox redis', () => {
  const key = `sandbox-test:${process.pid}:${Date.now()}`;

  it('is Redis 7 on 127.0.0.1 without persistence', async () => {
    await withRedis(async client => {
      const info = await client.info('server');
      expect(info).toMatch(/redis_version:7\./);
      expect(await client.configGet('save')).toEqual({ save: '' });
      expect(await client.configGet('appendonly')).toEqual({
        appendonly: 'no',
      });
      expect(await client.configGet('bind')).toEqual({ bind: '127.0.0.1' });
    });
  });

  it('sets and gets a value with a time to live, and expires it', async () => {
    await withRedis(async client => {
      expect(await client.set(key, 'cached value', { EX: 60 })).toBe('OK');
      expect(await client.get(key)).toBe('cached value');
      const ttl = await client.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);

      // A second client sees the same value: the replicas share this cache.
      await withRedis(async other => {
        expect(await other.get(key)).toBe('cached value');
      });

      const short = `${key}:short`;
      await client.set(short, 'soon gone', { PX: 200 });
      expect(await client.pTTL(short)).toBeGreaterThan(0);
      let value: string | null = 'soon gone';
      for (let i = 0; i < 50 && value !== null; i++) {
        await new Promise(r => setTimeout(r, 100));
        value = await client.get(short);
      }
      expect(value).toBeNull();
      // A key without a TTL is not dropped by the expiry of another.
      expect(await client.get(key)).toBe('cached value');
      await client.del(key);
      expect(await client.get(key)).toBeNull();
    });
  });
});
