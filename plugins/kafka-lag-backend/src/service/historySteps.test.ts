/*
 * A group's history in steps (a day's chart is 360 points, not 5,760 samples), on both
 * databases the plugin runs on: SQLite, and the sandbox's real PostgreSQL
 * (scripts/sandbox up postgres), since the bucketing is SQL (integer division, GROUP BY).
 */
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { freshPostgresDatabase } from '@internal/platform-node/testUtils';
import { GroupSummary } from '@internal/plugin-kafka-lag-common';
import { Knex } from 'knex';
import { DatabaseLagStore } from './DatabaseLagStore';
import {
  DefaultKafkaLagService,
  HISTORY_POINTS,
} from './DefaultKafkaLagService';
import { ClusterSnapshot } from './types';

jest.setTimeout(60_000);

const sqlite = TestDatabases.create({ ids: ['SQLITE_3'] });

const T0 = 1_700_000_040_000;
const at = (i: number) => T0 + i * 15_000;
/** Total lag of sample i: a slope, with one spike inside the third minute. */
const lagOf = (i: number) => (i === 9 ? 5_000 : 10 * i);

const summary = (i: number): GroupSummary => ({
  cluster: 'c1',
  group: 'g',
  state: 'Stable',
  memberCount: 1,
  topics: ['t'],
  totalLag: lagOf(i),
  maxLagSeconds: i % 4 === 1 ? null : i,
  maxLagSecondsIsLowerBound: false,
  status: 'OK',
  timeToDrainSeconds: null,
  neverCommittedPartitions: 0,
  sampledAt: new Date(at(i)).toISOString(),
  stale: false,
});

const snapshot = (i: number): ClusterSnapshot => ({
  at: at(i),
  topics: { t: { 0: [100 + i, 0] } },
  groups: [
    {
      group: 'g',
      state: 'Stable',
      members: [
        {
          memberId: 'm',
          clientId: 'c',
          host: '/10.0.0.1',
          assignments: [{ topic: 't', partitions: [0] }],
        },
      ],
      commits: { t: { 0: 100 + i - lagOf(i) } },
    },
  ],
});

async function withDatabase(
  engine: 'sqlite' | 'postgres',
  use: (knex: Knex) => Promise<void>,
) {
  if (engine === 'sqlite') {
    await use(await sqlite.init('SQLITE_3'));
    return;
  }
  const database = await freshPostgresDatabase('kafka_lag_steps');
  try {
    const knex = database.pluginKnex('kafka-lag');
    await knex.raw('CREATE SCHEMA IF NOT EXISTS "kafka-lag"');
    await use(knex);
  } finally {
    await database.drop();
  }
}

describe.each(['sqlite', 'postgres'] as const)(
  'DatabaseLagStore.loadHistory in steps (%s)',
  engine => {
    it("draws one point per step: the step's highest lag at its last sample, within the range", async () => {
      await withDatabase(engine, async knex => {
        const store = await DatabaseLagStore.create(
          mockServices.database({ knex, migrations: { skip: false } }),
        );
        for (let i = 0; i < 40; i++) {
          await store.saveSample('c1', snapshot(i), [summary(i)]);
        }

        const all = await store.loadHistory('c1', 'g', {
          since: 0,
          until: at(39),
        });
        expect(all.map(p => p.totalLag)).toEqual(
          Array.from({ length: 40 }, (_, i) => lagOf(i)),
        );

        // As many points as samples, or more: the samples themselves.
        const enough = await store.loadHistory('c1', 'g', {
          since: 0,
          until: at(39),
          maxPoints: 40,
        });
        expect(enough).toEqual(all);

        // Samples 4..35 in 8 points: steps of floor(479,999 / 8) + 1 = 60 s from sample 4.
        const steps = await store.loadHistory('c1', 'g', {
          since: at(4),
          until: at(4) + 479_999,
          maxPoints: 8,
        });
        expect(steps.map(p => p.at)).toEqual(
          [7, 11, 15, 19, 23, 27, 31, 35].map(i =>
            new Date(at(i)).toISOString(),
          ),
        );
        // The spike of sample 9 stays in its minute's point; the rest is each minute's last.
        expect(steps.map(p => p.totalLag)).toEqual([
          70, 5_000, 150, 190, 230, 270, 310, 350,
        ]);
        // The highest lag in seconds of each minute (null ones ignored).
        expect(steps.map(p => p.maxLagSeconds)).toEqual([
          7, 11, 15, 19, 23, 27, 31, 35,
        ]);
      });
    });
  },
);

/** The service on a fresh SQLite store, cluster c1 (never sampled: the tests write samples). */
async function serviceOnSqlite() {
  const knex = await sqlite.init('SQLITE_3');
  const store = await DatabaseLagStore.create(
    mockServices.database({ knex, migrations: { skip: false } }),
  );
  const service = await DefaultKafkaLagService.create({
    config: {
      clusters: [
        { name: 'c1', kafka: { clientId: 't', brokers: ['127.0.0.1:1'] } },
      ],
      sampleIntervalSeconds: 15,
      sampleTimeoutSeconds: 60,
      statusWindow: 3,
      snapshotRetentionMs: 3_600_000,
      historyRetentionMs: 24 * 3_600_000,
    },
    store,
    logger: mockServices.logger.mock(),
  });
  return { store, service };
}

describe('DefaultKafkaLagService.getGroup', () => {
  it(`answers a day's window in at most ${HISTORY_POINTS} points, an hour's sample by sample`, async () => {
    const { store, service } = await serviceOnSqlite();
    // Six hours of samples at 15 s (1,440), written as the sampler does.
    const count = 1_440;
    const now = Date.now();
    const first = now - (count - 1) * 15_000;
    for (let i = 0; i < count; i++) {
      const s = snapshot(i);
      await store.saveSample('c1', { ...s, at: first + i * 15_000 }, [
        {
          ...summary(i),
          // Flat, but for one sample's spike, which a day's point keeps.
          totalLag: i === 700 ? 99_999 : 5,
          sampledAt: new Date(first + i * 15_000).toISOString(),
        },
      ]);
    }
    // The service reads the last snapshots like any replica.
    const ref = { cluster: 'c1', group: 'g' };
    const hour = await service.getGroup(ref, 3_600);
    expect(hour.history).toHaveLength(241);
    const day = await service.getGroup(ref, 86_400);
    // Steps of 240.001 s over the six hours of samples: 90 or 91 points.
    expect(day.history.length).toBeGreaterThanOrEqual(90);
    expect(day.history.length).toBeLessThanOrEqual(91);
    expect(day.history[day.history.length - 1].at).toBe(day.sampledAt);
    expect(day.history.filter(p => p.totalLag === 99_999)).toHaveLength(1);
    expect(day.history.filter(p => p.totalLag !== 5)).toHaveLength(1);
  });
});

describe('DefaultKafkaLagService.getGroup between two samples', () => {
  it('answers the same page from memory until the next sample, then a new one', async () => {
    const { store, service } = await serviceOnSqlite();
    const now = Date.now();
    const write = (i: number, t: number) =>
      store.saveSample('c1', { ...snapshot(i), at: t }, [
        { ...summary(i), sampledAt: new Date(t).toISOString() },
      ]);
    await write(0, now - 30_000);
    await write(1, now - 15_000);
    const loadHistory = jest.spyOn(store, 'loadHistory');
    const ref = { cluster: 'c1', group: 'g' };

    const first = await service.getGroup(ref, 3_600);
    expect(await service.getGroup(ref, 3_600)).toBe(first);
    expect(loadHistory).toHaveBeenCalledTimes(1);
    // Another window is another page.
    const day = await service.getGroup(ref, 86_400);
    expect(day).not.toBe(first);
    expect(loadHistory).toHaveBeenCalledTimes(2);

    // A new sample (written by whichever replica samples): a new page with it. The state
    // the service reads is kept for a second (STATE_TTL_MS).
    await write(2, now);
    await new Promise(r => setTimeout(r, 1_100));
    const next = await service.getGroup(ref, 3_600);
    expect(next).not.toBe(first);
    expect(next.sampledAt).toBe(new Date(now).toISOString());
    expect(next.history.map(h => h.totalLag)).toEqual([0, 10, 20]);
    expect(loadHistory).toHaveBeenCalledTimes(3);
  });
});
