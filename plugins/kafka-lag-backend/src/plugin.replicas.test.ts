/*
 * Two replicas, one sampler: two test backends on one fresh database of the sandbox's
 * PostgreSQL with Backstage's real scheduler, sampling the sandbox's real Kafka
 * (scripts/sandbox up postgres kafka workload). The global sampling task runs once per
 * interval across both, so the plugin's database holds one snapshot per interval and
 * cluster, and both replicas answer the same figures.
 */
import {
  freshPostgresDatabase,
  startReplica,
} from '@internal/platform-node/testUtils';
import { sandboxEnv } from '@internal/sandbox';
import request from 'supertest';
import { kafkaLagPlugin } from './plugin';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const INTERVAL_SECONDS = 2;
/** The same brokers under two names: two clusters, two sampling tasks. */
const CLUSTERS = ['platform-kafka', 'platform-kafka-again'];

describe('kafka-lag on two replicas', () => {
  it('samples once per interval and cluster across replicas, and both answer the same figures', async () => {
    const env = sandboxEnv();
    const database = await freshPostgresDatabase('kafka_lag_test');
    const config = {
      kafka: {
        clusters: CLUSTERS.map(name => ({ name, brokers: env.kafkaBrokers })),
      },
      kafkaLag: { sampleIntervalSeconds: INTERVAL_SECONDS },
    };
    const replicas = [
      await startReplica({
        databaseUrl: database.url,
        config,
        features: [kafkaLagPlugin],
      }),
      await startReplica({
        databaseUrl: database.url,
        config,
        features: [kafkaLagPlugin],
      }),
    ];
    const knex = database.pluginKnex('kafka-lag');
    try {
      const snapshotTimes = async (cluster: string) =>
        (
          await knex('kafka_lag_samples')
            .where({ cluster })
            .orderBy('sampled_at')
            .select('sampled_at')
        ).map(r => Number(r.sampled_at));

      // Several intervals; meanwhile, both replicas' answers of the same sample.
      const clusterPairs: Array<[any, any]> = [];
      const groupPairs: Array<[request.Response, request.Response]> = [];
      for (let i = 0; i < 60; i++) {
        const [a, b] = await Promise.all(
          replicas.map(r => request(r.server).get('/api/kafka-lag/clusters')),
        );
        // The same database state: the same sample, and the same last attempt's error
        // (a failed attempt between the two reads changes the error, not the sample).
        const sampled = (res: request.Response) =>
          res.status === 200
            ? JSON.stringify(
                res.body.map((c: any) => [c.lastSampleAt, c.error ?? null]),
              )
            : `status ${res.status}`;
        if (
          sampled(a) === sampled(b) &&
          a.body.every((c: any) => c.groups.length)
        ) {
          clusterPairs.push([a.body, b.body]);
          const [groupA, groupB] = await Promise.all(
            replicas.map(r =>
              request(r.server).get(
                '/api/kafka-lag/groups/platform-kafka/webapp-consumer?window=600',
              ),
            ),
          );
          if (groupA.body.sampledAt === groupB.body.sampledAt) {
            groupPairs.push([groupA, groupB]);
          }
        }
        const counts = await Promise.all(
          CLUSTERS.map(async c => (await snapshotTimes(c)).length),
        );
        if (groupPairs.length >= 3 && counts.every(n => n >= 10)) break;
        await sleep(700);
      }
      expect(clusterPairs.length).toBeGreaterThanOrEqual(3);
      for (const [a, b] of clusterPairs) expect(b).toEqual(a);
      expect(groupPairs.length).toBeGreaterThanOrEqual(3);
      for (const [a, b] of groupPairs) {
        expect(a.status).toBe(200);
        expect(a.body.partitions.length).toBeGreaterThan(0);
        expect(b.body).toEqual(a.body);
      }

      // Let the runs under way finish, then count what the database holds.
      await Promise.all(replicas.map(r => r.stop()));
      for (const cluster of CLUSTERS) {
        const times = await snapshotTimes(cluster);
        expect(times.length).toBeGreaterThanOrEqual(10);
        // The task runs on the scheduler's grid of one interval; a run may start up to
        // a poll (one interval) plus a sampling late, so N runs span at least
        // (N - 3) intervals. Two samplers (a 'local' task on two replicas) would
        // write about two snapshots per interval.
        const span = times[times.length - 1] - times[0];
        const intervals = span / (INTERVAL_SECONDS * 1000);
        expect(times.length).toBeLessThanOrEqual(Math.floor(intervals) + 3);
        // One history row per group and snapshot: no sample was written twice.
        const history = await knex('kafka_lag_group_history')
          .where({ cluster, group_id: 'webapp-consumer' })
          .count({ n: '*' });
        expect(Number(history[0].n)).toBe(times.length);
      }
    } finally {
      await Promise.all(replicas.map(r => r.stop().catch(() => undefined)));
      await knex.destroy();
      await database.drop();
    }
  });
});
