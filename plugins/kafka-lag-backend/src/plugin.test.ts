/*
 * The whole plugin in a test backend, sampling the sandbox's real Kafka through
 * the scheduler, answering over HTTP.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { sandboxEnv } from '@internal/sandbox';
import request from 'supertest';
import { kafkaLagPlugin } from './plugin';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('kafka-lag plugin', () => {
  const env = sandboxEnv();

  async function start() {
    const { server } = await startTestBackend({
      features: [
        kafkaLagPlugin,
        // Runs each scheduled task once at start-up, the sampler included.
        mockServices.scheduler.factory({
          includeInitialDelayedTasksOnStartup: true,
        }),
        mockServices.rootConfig.factory({
          data: {
            kafka: {
              clusters: [{ name: 'platform-kafka', brokers: env.kafkaBrokers }],
            },
            kafkaLag: { sampleIntervalSeconds: 2 },
          },
        }),
      ],
    });
    return server;
  }

  it('samples through the scheduler and lists every group of the cluster', async () => {
    const server = await start();
    let groups: string[] = [];
    for (let i = 0; i < 30 && !groups.includes('llm-ingestors'); i++) {
      await sleep(1000);
      const res = await request(server).get('/api/kafka-lag/clusters');
      expect(res.status).toBe(200);
      groups = res.body[0].groups.map((g: { group: string }) => g.group);
    }
    expect(groups).toEqual(
      expect.arrayContaining([
        'webapp-consumer',
        'llm-ingestors',
        'release-notifier',
      ]),
    );

    const one = await request(server).get(
      '/api/kafka-lag/groups/platform-kafka/webapp-consumer?window=3600',
    );
    expect(one.status).toBe(200);
    expect(one.body.partitions).toHaveLength(12);
    expect(one.body.members.length).toBeGreaterThan(0);
  });

  it('answers bad input with 400 and unknown clusters with 404, naming the config key', async () => {
    const server = await start();
    const malformed = await request(server).get(
      '/api/kafka-lag/groups?refs=no-slash',
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/<cluster>\/<group>/);

    const unknown = await request(server).get('/api/kafka-lag/groups/nope/g');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/kafka\.clusters/);

    const window = await request(server).get(
      '/api/kafka-lag/groups/platform-kafka/webapp-consumer?window=5',
    );
    expect(window.status).toBe(400);

    const lookup = await request(server).get(
      '/api/kafka-lag/groups?refs=nope/x',
    );
    expect(lookup.status).toBe(200);
    expect(lookup.body.missing[0]).toEqual({
      ref: 'nope/x',
      reason: expect.stringMatching(/Unknown Kafka cluster 'nope'/),
    });
  });
});
