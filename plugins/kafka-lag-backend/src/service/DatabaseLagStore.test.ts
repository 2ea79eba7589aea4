/*
 * The compact history of the store, on the plugin's real migrations (SQLite): what is
 * read back after compaction and retention, and that a replica serving from it answers
 * what the sampling replica computed from the full snapshots. No Kafka here (that is in
 * compactHistory.test.ts).
 */
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { DatabaseLagStore } from './DatabaseLagStore';
import { DefaultKafkaLagService } from './DefaultKafkaLagService';
import { ClusterSnapshot, LagStore } from './types';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const STATUS_WINDOW = 3;
const config = {
  clusters: [
    { name: 'c1', kafka: { clientId: 't', brokers: ['127.0.0.1:1'] } },
  ],
  sampleIntervalSeconds: 15,
  sampleTimeoutSeconds: 60,
  statusWindow: STATUS_WINDOW,
  snapshotRetentionMs: 10 * 15_000,
  historyRetentionMs: 20 * 15_000,
};

/**
 * Sample i of two groups on a 3-partition topic (partition 2 never committed by `slow`):
 * `fast` keeps up, `slow` commits 1 of every 4 messages.
 */
function snapshot(i: number, at: number): ClusterSnapshot {
  const ends = [100 + 4 * i, 200 + 8 * i, 50];
  return {
    at,
    topics: {
      events: { 0: [ends[0], 0], 1: [ends[1], 3], 2: [ends[2], 0] },
    },
    groups: [
      {
        group: 'fast',
        state: 'Stable',
        members: [
          {
            memberId: 'm1',
            clientId: 'fast-1',
            host: '/10.0.0.1',
            assignments: [{ topic: 'events', partitions: [0, 1, 2] }],
          },
        ],
        commits: { events: { 0: ends[0], 1: ends[1], 2: ends[2] } },
      },
      {
        group: 'slow',
        state: 'Stable',
        members: [
          {
            memberId: 'm2',
            clientId: 'slow-1',
            host: '/10.0.0.2',
            assignments: [{ topic: 'events', partitions: [0, 1, 2] }],
          },
        ],
        commits: { events: { 0: 100 + i, 1: 200 + 2 * i } },
      },
    ],
  };
}

async function store(knex: Knex) {
  return DatabaseLagStore.create(
    mockServices.database({ knex, migrations: { skip: false } }),
  );
}

/** What sample() does after reading Kafka: the service's own write path, no Kafka. */
async function sampleInto(
  service: DefaultKafkaLagService,
  s: ClusterSnapshot,
): Promise<void> {
  const sampler = (service as any).clusters.get('c1').sampler;
  sampler.snapshot = async () => s;
  await service.sample('c1');
}

const count = async (knex: Knex, table: string) =>
  Number((await knex(table).count({ n: '*' }))[0].n);

describe('DatabaseLagStore, compact history', () => {
  it('reads back the topic offsets of every kept sample and the commits of the last statusWindow', async () => {
    const knex = await databases.init('SQLITE_3');
    const s: LagStore = await store(knex);
    const t0 = 1_700_000_000_000;
    const written = Array.from({ length: 6 }, (_, i) =>
      snapshot(i, t0 + i * 15_000),
    );
    for (const w of written) {
      await s.saveSample('c1', w, []);
      await s.prune('c1', {
        snapshotsBefore: 0,
        historyBefore: 0,
        groupSamplesToKeep: STATUS_WINDOW,
      });
    }
    const read = await s.loadSnapshots('c1', 0);
    expect(read.map(r => r.at)).toEqual(written.map(w => w.at));
    // Every sample's end and start offsets, exactly.
    expect(read.map(r => r.topics)).toEqual(written.map(w => w.topics));
    // The committed offsets (never-committed partition 2 of `slow` stays absent) of the
    // last three samples only.
    expect(read.slice(-STATUS_WINDOW).map(r => r.groups)).toEqual(
      written.slice(-STATUS_WINDOW).map(w => w.groups),
    );
    expect(read.slice(0, -STATUS_WINDOW).map(r => r.groups)).toEqual([
      [],
      [],
      [],
    ]);
    expect(await count(knex, 'kafka_lag_group_offsets')).toBe(
      STATUS_WINDOW * 2,
    );
  });

  it('applies the retention: old offsets, samples and history rows are deleted', async () => {
    const knex = await databases.init('SQLITE_3');
    const { service } = await replica(knex);
    const t0 = Date.now() - 30 * 15_000;
    for (let i = 0; i < 30; i++) {
      await sampleInto(service, snapshot(i, t0 + i * 15_000));
    }
    const latest = t0 + 29 * 15_000;
    const times = async (table: string) =>
      (await knex(table).distinct('sampled_at')).map(r => Number(r.sampled_at));
    // Snapshot retention 10 samples back (150 s), history 20 (300 s), commits 3 samples.
    const min = (values: number[]) => Math.min(...values);
    expect(min(await times('kafka_lag_samples'))).toBe(latest - 10 * 15_000);
    expect(min(await times('kafka_lag_topic_offsets'))).toBe(
      latest - 10 * 15_000,
    );
    expect(await count(knex, 'kafka_lag_samples')).toBe(11);
    expect((await times('kafka_lag_group_offsets')).sort()).toEqual([
      latest - 2 * 15_000,
      latest - 15_000,
      latest,
    ]);
    expect(min(await times('kafka_lag_group_history'))).toBe(
      latest - 20 * 15_000,
    );
    expect(await count(knex, 'kafka_lag_group_history')).toBe(21 * 2);
  });

  it('serves on a second replica, from the compact rows, what the sampling replica computed', async () => {
    const knex = await databases.init('SQLITE_3');
    const a = await replica(knex);
    const t0 = Date.now() - 14 * 15_000;
    for (let i = 0; i < 14; i++) {
      await sampleInto(a.service, snapshot(i, t0 + i * 15_000));
    }
    // A replica started now reads only the database.
    const b = await replica(knex);
    const [onA] = await a.service.listClusters();
    const [onB] = await b.service.listClusters();
    expect(onB).toEqual(onA);
    const slowA = await a.service.getGroup(
      { cluster: 'c1', group: 'slow' },
      3600,
    );
    const slowB = await b.service.getGroup(
      { cluster: 'c1', group: 'slow' },
      3600,
    );
    expect(slowB).toEqual(slowA);
    // The figures themselves: lag = end - committed at the latest sample (13)...
    expect(slowB.partitions.map(p => p.lag)).toEqual([
      100 + 4 * 13 - (100 + 13),
      200 + 8 * 13 - (200 + 2 * 13),
      null,
    ]);
    // ...its history is that lag at every sample kept (history retention: 20 samples)...
    expect(slowB.history.map(h => h.totalLag)).toEqual(
      Array.from({ length: 14 }, (_, i) => 3 * i + 6 * i),
    );
    // ...and the seconds are read from the end offsets of the snapshot retention: the
    // message at committed offset 113 of partition 0 was written when the end passed 114,
    // between samples 3 (112) and 4 (116), at 3.5 samples.
    expect(slowB.partitions[0].lagSeconds).toBeCloseTo((13 - 3.5) * 15, 3);
    expect(slowB.status).toBe('WARNING');
    const fast = onB.groups.find(g => g.group === 'fast')!;
    expect(fast).toMatchObject({ totalLag: 0, status: 'OK' });
  });

  it('gives up a refresh that never settles after sampleTimeoutSeconds: stale, the last figures kept, the next sample runs', async () => {
    const knex = await databases.init('SQLITE_3');
    const s = await store(knex);
    const service = await DefaultKafkaLagService.create({
      config: { ...config, sampleTimeoutSeconds: 0.2 },
      store: s,
      logger: mockServices.logger.mock(),
    });
    await sampleInto(service, snapshot(0, Date.now() - 15_000));
    const sampler = (service as any).clusters.get('c1').sampler;
    const close = jest.spyOn(sampler, 'close');
    // A refresh that neither answers nor fails (the scheduled task would hang on it).
    sampler.snapshot = () => new Promise(() => {});
    await service.sample('c1');
    expect(close).toHaveBeenCalledTimes(1);
    const [stale] = await service.listClusters();
    expect(stale.stale).toBe(true);
    expect(stale.error).toMatch(
      /no snapshot within 0\.2 s \(kafkaLag\.sampleTimeoutSeconds\)/,
    );
    expect(stale.groups.map(g => g.group)).toEqual(['fast', 'slow']);
    // The next sample is a fresh one again.
    await sampleInto(service, snapshot(1, Date.now()));
    const [fresh] = await service.listClusters();
    expect(fresh.stale).toBe(false);
    expect(fresh.error).toBeUndefined();
  });
});

async function replica(knex: Knex) {
  const s = await store(knex);
  const service = await DefaultKafkaLagService.create({
    config,
    store: s,
    logger: mockServices.logger.mock(),
  });
  return { store: s, service };
}
