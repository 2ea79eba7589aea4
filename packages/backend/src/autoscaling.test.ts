/*
 * "Why isn't it scaling?" across two plugins' sources: the Kafka lag plugin's sampled lag of
 * the sandbox's real Kafka, and the shared cluster cache's ScaledObjects, HPAs and Deployments
 * of the sandbox's real API server (as the portal's ServiceAccount). The sandbox runs no KEDA
 * operator yet, so llm-ingestors' ScaledObject has no HPA: the answer must say so, with the
 * trigger, partitions and replicas read from the real objects.
 *
 * Needs: scripts/sandbox up kafka postgres workload k8s && eval "$(scripts/sandbox env)".
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { kubeconfigToken, sandboxEnv } from '@internal/sandbox';
import kafkaLagPlugin from '@internal/plugin-kafka-lag-backend';
import type { GroupScaling } from '@internal/plugin-kafka-lag-common';
import request from 'supertest';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('GET /api/kafka-lag/groups/:cluster/:group/autoscaling', () => {
  const env = sandboxEnv();

  it("explains llm-ingestors' ScaledObject from the real objects and the sampled lag", async () => {
    const { server } = await startTestBackend({
      features: [
        kafkaLagPlugin,
        mockServices.scheduler.factory({
          includeInitialDelayedTasksOnStartup: true,
        }),
        mockServices.rootConfig.factory({
          data: {
            kafka: {
              clusters: [{ name: 'platform-kafka', brokers: env.kafkaBrokers }],
            },
            kafkaLag: { sampleIntervalSeconds: 2 },
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'eks-data-platform',
                      url: env.k8s.url,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: kubeconfigToken(
                        env.k8s.kubeconfigs.portal,
                      ),
                      caFile: env.k8s.caFile,
                    },
                  ],
                },
              ],
            },
          },
        }),
      ],
    });

    const path =
      '/api/kafka-lag/groups/platform-kafka/llm-ingestors/autoscaling';
    let body: GroupScaling | undefined;
    // Until the first sample has the group and the cache has listed the ScaledObjects.
    for (let i = 0; i < 60; i++) {
      const res = await request(server).get(path);
      if (res.status === 200 && res.body.scaledObjects.length > 0) {
        body = res.body;
        break;
      }
      await sleep(1000);
    }
    expect(body).toBeDefined();
    expect(body!.notices).toEqual([]);
    expect(body!.scaledObjects).toHaveLength(1);
    const [so] = body!.scaledObjects;
    expect(so).toMatchObject({
      cluster: 'eks-data-platform',
      namespace: 'ml',
      name: 'llm-ingestors',
      target: { kind: 'Deployment', name: 'llm-ingestors' },
      replicas: 2,
      trigger: {
        topic: 'raw-events',
        lagThreshold: 500,
        offsetResetPolicy: 'earliest',
      },
      partitions: 12,
      minReplicas: 2,
      maxReplicas: 12,
      cooldownPeriodSeconds: 300,
      reason: 'no-hpa',
    });
    // The workload's llm-ingestors falls behind on purpose.
    expect(so.lag).toBeGreaterThan(0);
    expect(so.sentence).toMatch(/HorizontalPodAutoscaler/);

    // A group no ScaledObject names: an empty list, not an error.
    const other = await request(server).get(
      '/api/kafka-lag/groups/platform-kafka/webapp-consumer/autoscaling',
    );
    expect(other.status).toBe(200);
    expect(other.body.scaledObjects).toEqual([]);

    const unknown = await request(server).get(
      '/api/kafka-lag/groups/nope/llm-ingestors/autoscaling',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/kafka\.clusters/);
  });
});
