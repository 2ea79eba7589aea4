/*
 * Two lag services on one database (two replicas): what one of them stores, the
 * other serves, with the same figures, errors and stale flags. Snapshots are
 * recorded ones, stored through the real store and migrations on SQLite; nothing
 * here talks to Kafka (the sampler against the sandbox is in
 * DefaultKafkaLagService.test.ts and plugin.replicas.test.ts).
 */
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { DatabaseLagStore } from './DatabaseLagStore';
import { DefaultKafkaLagService } from './DefaultKafkaLagService';
import { ClusterSnapshot } from './types';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const config = {
  clusters: [
    { name: 'c1', kafka: { clientId: 't', brokers: ['127.0.0.1:1'] } },
  ],
  sampleIntervalSeconds: 15,
  sampleTimeoutSeconds: 60,
  statusWindow: 10,
  snapshotRetentionMs: 3_600_000,
  historyRetentionMs: 3_600_000,
};

/** A group committing 10 of every 20 messages on one partition, sample `i`. */
function snapshot(i: number, at: number): ClusterSnapshot {
  return {
    at,
    topics: { events: { 0: [100 + 20 * i, 0] } },
    groups: [
      {
        group: 'ingest',
        state: 'Stable',
        members: [
          {
            memberId: 'm1',
            clientId: 'ingest-1',
            host: '/10.0.0.1',
            assignments: [{ topic: 'events', partitions: [0] }],
          },
        ],
        commits: { events: { 0: 50 + 10 * i } },
      },
    ],
  };
}

async function replica(knex: Knex) {
  const store = await DatabaseLagStore.create(
    mockServices.database({ knex, migrations: { skip: false } }),
  );
  const service = await DefaultKafkaLagService.create({
    config,
    store,
    logger: mockServices.logger.mock(),
  });
  return { store, service };
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('lag figures served from the database', () => {
  it('serves on one replica what the other stored, the same figures on both', async () => {
    const knex = await databases.init('SQLITE_3');
    const a = await replica(knex);
    const b = await replica(knex);

    // Nothing sampled yet: both say so.
    await expect(
      b.service.getGroup({ cluster: 'c1', group: 'ingest' }, 3600),
    ).rejects.toThrow(/has not been sampled yet/);

    // Replica A "samples" (what sample() stores after reading Kafka).
    const t0 = Date.now() - 60_000;
    for (let i = 0; i < 4; i++) {
      const s = snapshot(i, t0 + i * 15_000);
      await a.store.saveSample('c1', s, [
        {
          cluster: 'c1',
          group: 'ingest',
          state: 'Stable',
          memberCount: 1,
          topics: ['events'],
          totalLag: 50 + 10 * i,
          maxLagSeconds: null,
          maxLagSecondsIsLowerBound: false,
          status: 'WARNING',
          timeToDrainSeconds: null,
          neverCommittedPartitions: 0,
          sampledAt: new Date(s.at).toISOString(),
          stale: false,
        },
      ]);
    }
    await sleep(1100); // past B's short cache of the sampling state
    const [onA] = await a.service.listClusters();
    const [onB] = await b.service.listClusters();
    expect(onB).toEqual(onA);
    expect(onB.lastSampleAt).toBe(new Date(t0 + 45_000).toISOString());
    expect(onB.groups).toHaveLength(1);
    // Evaluated from the four snapshots: lag grew at every sample.
    expect(onB.groups[0]).toMatchObject({
      totalLag: 80,
      status: 'WARNING',
      stale: false,
    });
    const detailA = await a.service.getGroup(
      { cluster: 'c1', group: 'ingest' },
      3600,
    );
    const detailB = await b.service.getGroup(
      { cluster: 'c1', group: 'ingest' },
      3600,
    );
    expect(detailB).toEqual(detailA);
    expect(detailB.history.map(h => h.totalLag)).toEqual([50, 60, 70, 80]);

    // A failed sampling on A: B reports the error and the last figures as stale.
    await a.store.saveFailure('c1', Date.now(), 'connect ECONNREFUSED');
    await sleep(1100); // past the replicas' short cache of the sampling state
    const [staleB] = await b.service.listClusters();
    expect(staleB.error).toBe('connect ECONNREFUSED');
    expect(staleB.stale).toBe(true);
    expect(staleB.lastSampleAt).toBe(onA.lastSampleAt);
    expect(staleB.groups[0]).toMatchObject({ totalLag: 80, stale: true });

    // The next good sample clears it on both, and B loads only what is new.
    const s4 = snapshot(4, t0 + 60_000);
    await a.store.saveSample('c1', s4, []);
    await sleep(1100);
    const [freshA] = await a.service.listClusters();
    const [freshB] = await b.service.listClusters();
    expect(freshB).toEqual(freshA);
    expect(freshB.error).toBeUndefined();
    expect(freshB.groups[0]).toMatchObject({ totalLag: 90, stale: false });
  });

  it('reads the state of a database written before the state table', async () => {
    const knex = await databases.init('SQLITE_3');
    // Only the first migration, as a database of the previous release has it.
    await knex.migrate.up({
      directory: `${__dirname}/../../migrations`,
      name: '20261123000000_init.js',
    });
    const s = snapshot(0, Date.now() - 1000);
    await knex('kafka_lag_snapshots').insert({
      cluster: 'c1',
      sampled_at: s.at,
      payload: JSON.stringify(s),
    });
    const { service } = await replica(knex);
    const [c1] = await service.listClusters();
    expect(c1.lastSampleAt).toBe(new Date(s.at).toISOString());
    expect(c1.groups.map(g => g.group)).toEqual(['ingest']);
  });
});
