/*
 * "Why isn't it scaling?" across two plugins' sources and the real KEDA operator: the Kafka lag
 * plugin's sampled lag of the sandbox's real Kafka, and the shared cluster cache's
 * ScaledObjects, HPAs and Deployments of the sandbox's real API server (as the portal's
 * ServiceAccount), whose status KEDA's operator writes (part `keda`). KEDA's metrics server does
 * not run in the sandbox (sandbox/README.md, "KEDA"): the HPA KEDA makes cannot read its
 * metric, and above 1 replica nothing scales; KEDA's own activation 0 → 1 does.
 *
 * Each answer is compared with the objects as the API server has them, read here as admin.
 *
 * Needs: scripts/sandbox up kafka postgres workload k8s keda && eval "$(scripts/sandbox env)".
 */
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  commitGroupOffsets,
  retrying,
  sandboxCluster,
  sandboxEnv,
} from '@internal/sandbox';
import kafkaLagPlugin from '@internal/plugin-kafka-lag-backend';
import type {
  ClusterOverview,
  GroupScaling,
  ScaledObjectScaling,
} from '@internal/plugin-kafka-lag-common';
import {
  AppsV1Api,
  AutoscalingV2Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';

// Generous: on a loaded CI machine a new group's first sampled partitions took over 90 s.
jest.setTimeout(420_000);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const env = sandboxEnv();
const suffix = Date.now().toString(36);

const admin = (() => {
  const config = new KubeConfig();
  config.loadFromFile(env.k8s.kubeconfigs.admin);
  return {
    apps: config.makeApiClient(AppsV1Api),
    hpas: config.makeApiClient(AutoscalingV2Api),
    custom: config.makeApiClient(CustomObjectsApi),
  };
})();
const kafka = new Kafka({
  clientId: 'autoscaling-test',
  brokers: env.kafkaBrokers,
  logLevel: logLevel.NOTHING,
});

interface Condition {
  type: string;
  status: string;
  reason?: string;
}

/** The ScaledObject as the API server has it (status written by KEDA's operator). */
async function scaledObjectNow(namespace: string, name: string) {
  const so = (await admin.custom.getNamespacedCustomObject({
    group: 'keda.sh',
    version: 'v1alpha1',
    namespace,
    plural: 'scaledobjects',
    name,
  })) as {
    status?: { conditions?: Condition[]; hpaName?: string };
  };
  return so.status ?? {};
}

/** The HPA KEDA made, or undefined while it has not. */
async function hpaNow(namespace: string, name: string) {
  try {
    return await admin.hpas.readNamespacedHorizontalPodAutoscaler({
      namespace,
      name,
    });
  } catch {
    return undefined;
  }
}

const statusOf = (conditions: Condition[] | undefined, type: string) =>
  conditions?.find(c => c.type === type)?.status;

let server: Parameters<typeof request>[0];
let stop: () => Promise<void>;

beforeAll(async () => {
  const backend = await startTestBackend({
    features: [
      kafkaLagPlugin,
      // The real scheduler: the lag is sampled every 2 s, so groups made by a test appear.
      schedulerServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          kafka: {
            clusters: [{ name: 'platform-kafka', brokers: env.kafkaBrokers }],
          },
          // A refresh that hangs is given up after 10 s and the next one runs.
          kafkaLag: { sampleIntervalSeconds: 2, sampleTimeoutSeconds: 10 },
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  sandboxCluster(
                    'eks-data-platform',
                    env.k8s.kubeconfigs.portal,
                  ),
                ],
              },
            ],
          },
        },
      }),
    ],
  });
  server = backend.server;
  stop = () => backend.stop();
});
afterAll(() => stop?.());

/**
 * Polls the route until `until` holds for the group's one ScaledObject (the sampler, the
 * cluster cache's watch and the operator each take a moment); fails with the last answer.
 */
async function scalingUntil(
  group: string,
  until: (so: ScaledObjectScaling) => boolean | Promise<boolean>,
  seconds = 90,
): Promise<ScaledObjectScaling> {
  let last: unknown;
  for (let i = 0; i < seconds; i++) {
    const res = await request(server).get(
      `/api/kafka-lag/groups/platform-kafka/${group}/autoscaling`,
    );
    last = res.body;
    if (res.status === 200) {
      const body = res.body as GroupScaling;
      if (
        body.scaledObjects.length === 1 &&
        (await until(body.scaledObjects[0]))
      )
        return body.scaledObjects[0];
    }
    await sleep(1000);
  }
  // How the sampling stands, for the message: when it last succeeded, what it last said.
  const clusters = await request(server).get('/api/kafka-lag/clusters');
  const sampling = Array.isArray(clusters.body)
    ? (clusters.body as ClusterOverview[]).map(c => ({
        name: c.name,
        lastSampleAt: c.lastSampleAt,
        stale: c.stale,
        error: c.error,
        groups: c.groups.length,
      }))
    : clusters.body;
  // And how the plugin sees the group itself: state, members, partitions.
  const detail = await request(server).get(
    `/api/kafka-lag/groups/platform-kafka/${group}`,
  );
  const seen =
    detail.status === 200
      ? {
          state: detail.body.state,
          members: detail.body.members?.length,
          partitions: detail.body.partitions,
        }
      : detail.body;
  throw new Error(
    `no answer for ${group} held within ${seconds} s; group as sampled: ${JSON.stringify(
      seen,
    )} (now ${new Date().toISOString()}); last: ${JSON.stringify(
      last,
    )}; sampling: ${JSON.stringify(sampling)}`,
  );
}

/** The answer's conditions as KEDA wrote them into the object (type and status of each). */
async function matchesObject(so: ScaledObjectScaling) {
  const now = await scaledObjectNow(so.namespace, so.name);
  const want = (now.conditions ?? []).map(c => `${c.type}=${c.status}`).sort();
  const got = so.conditions.map(c => `${c.type}=${c.status}`).sort();
  return want.length > 0 && JSON.stringify(want) === JSON.stringify(got);
}

describe('GET /api/kafka-lag/groups/:cluster/:group/autoscaling with the real KEDA operator', () => {
  it("explains llm-ingestors' ScaledObject from the objects KEDA keeps and the sampled lag", async () => {
    // Until the HPA controller has judged KEDA's HPA and the answer carries its verdict.
    const so = await scalingUntil('llm-ingestors', async answer => {
      const hpa = await hpaNow('ml', 'keda-hpa-llm-ingestors');
      const active = hpa?.status?.conditions?.find(
        c => c.type === 'ScalingActive',
      );
      return (
        active !== undefined &&
        answer.hpa?.conditions.some(
          c => c.type === 'ScalingActive' && c.status === active.status,
        ) === true &&
        (await matchesObject(answer))
      );
    });
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
      active: true,
      hpa: { name: 'keda-hpa-llm-ingestors', minReplicas: 2, maxReplicas: 12 },
    });
    // The workload's llm-ingestors falls behind on purpose: KEDA says Active, as the portal does.
    expect(so.lag).toBeGreaterThan(0);
    const status = await scaledObjectNow('ml', 'llm-ingestors');
    expect(statusOf(status.conditions, 'Ready')).toBe('True');
    expect(statusOf(status.conditions, 'Active')).toBe('True');
    expect(status.hpaName).toBe('keda-hpa-llm-ingestors');
    // No metrics server: the HPA controller cannot read KEDA's metric, and the answer says so.
    const hpa = await hpaNow('ml', 'keda-hpa-llm-ingestors');
    const scalingActive = hpa!.status!.conditions!.find(
      c => c.type === 'ScalingActive',
    )!;
    expect(scalingActive).toMatchObject({
      status: 'False',
      reason: 'FailedGetExternalMetric',
    });
    expect(so.reason).toBe('hpa-metrics');
    expect(so.sentence).toMatch(/cannot read KEDA's lag metric/);
    expect(so.sentence).toMatch(/FailedGetExternalMetric/);

    const unknown = await request(server).get(
      '/api/kafka-lag/groups/nope/llm-ingestors/autoscaling',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/kafka\.clusters/);
  });

  it('gives an empty list for a group no ScaledObject names', async () => {
    const res = await request(server).get(
      '/api/kafka-lag/groups/platform-kafka/webapp-consumer/autoscaling',
    );
    expect(res.status).toBe(200);
    expect(res.body.scaledObjects).toEqual([]);
  });

  describe('a consumer at zero replicas, two partitions, maxReplicaCount 8', () => {
    const name = `keda-probe-${suffix}`;
    const namespace = 'ml';
    const kafkaAdmin = kafka.admin();
    const scaledObjects = {
      group: 'keda.sh',
      version: 'v1alpha1',
      namespace,
      plural: 'scaledobjects',
    };

    beforeAll(async () => {
      await kafkaAdmin.connect();
      await kafkaAdmin.createTopics({
        topics: [{ topic: name, numPartitions: 2, replicationFactor: 3 }],
        // kafkajs' own wait fails now and then on a broker that has not seen the topic yet.
        waitForLeaders: false,
      });
      await retrying(() => kafkaAdmin.fetchTopicMetadata({ topics: [name] }));
      // The group exists with offset 0 committed on both partitions, and no member runs
      // (commitGroupOffsets reads the commits back: a commit made before the coordinator
      // knew the new topic could be lost).
      await commitGroupOffsets(kafkaAdmin, {
        groupId: name,
        topic: name,
        partitions: [
          { partition: 0, offset: '0' },
          { partition: 1, offset: '0' },
        ],
      });
      await admin.apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name, labels: { 'backstage.io/kubernetes-id': name } },
          spec: {
            replicas: 0,
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name } },
              spec: {
                containers: [
                  { name: 'consumer', image: 'ghcr.io/ml-platform/probe:1' },
                ],
              },
            },
          },
        },
      });
      await admin.custom.createNamespacedCustomObject({
        ...scaledObjects,
        body: {
          apiVersion: 'keda.sh/v1alpha1',
          kind: 'ScaledObject',
          metadata: { name },
          spec: {
            scaleTargetRef: { name },
            pollingInterval: 2,
            cooldownPeriod: 300,
            minReplicaCount: 0,
            maxReplicaCount: 8,
            triggers: [
              {
                type: 'kafka',
                metadata: {
                  bootstrapServers: env.kafkaBrokers.join(','),
                  consumerGroup: name,
                  topic: name,
                  lagThreshold: '10',
                  activationLagThreshold: '5',
                },
              },
            ],
          },
        },
      });
    });

    afterAll(async () => {
      await admin.custom
        .deleteNamespacedCustomObject({ ...scaledObjects, name })
        .catch(() => undefined);
      await admin.apps
        .deleteNamespacedDeployment({ namespace, name })
        .catch(() => undefined);
      await kafkaAdmin.deleteGroups([name]).catch(() => undefined);
      await kafkaAdmin.deleteTopics({ topics: [name] }).catch(() => undefined);
      await kafkaAdmin.disconnect();
    });

    const activeNow = async () =>
      statusOf((await scaledObjectNow(namespace, name)).conditions, 'Active');
    const replicasNow = async () =>
      (await admin.apps.readNamespacedDeployment({ namespace, name })).spec
        ?.replicas;

    it('stays inactive at 0 with no lag; past the activation threshold KEDA scales it 0 → 1, and partitions are what bind next', async () => {
      // Until KEDA has polled the trigger once (Active goes from Unknown to False) and the
      // Kafka lag plugin has sampled the new group once (before that it knows no partition of
      // it: a fresh-clone run read 0 here).
      const idle = await scalingUntil(
        name,
        async so =>
          so.reason === 'inactive' &&
          so.partitions > 0 &&
          (await activeNow()) === 'False' &&
          (await matchesObject(so)),
        180,
      );
      expect(idle).toMatchObject({
        lag: 0,
        active: false,
        replicas: 0,
        expectedReplicas: 0,
        partitions: 2,
      });
      expect(await activeNow()).toBe('False');
      expect(idle.sentence).toMatch(/not above the activation threshold of 5/);

      // 100 messages: lag 100 asks for 10 replicas at 10 each; two partitions cap it at 2.
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: name,
        messages: Array.from({ length: 100 }, (_, i) => ({
          partition: i % 2,
          value: `event ${i}`,
        })),
      });
      await producer.disconnect();

      // KEDA itself (no HPA involved) takes the Deployment from 0 to 1.
      for (let i = 0; i < 60 && (await replicasNow()) !== 1; i++)
        await sleep(1000);
      expect(await replicasNow()).toBe(1);

      const hpaName = `keda-hpa-${name}`;
      const active = await scalingUntil(name, async so => {
        const hpa = await hpaNow(namespace, hpaName);
        // Judged on the Deployment at 1 (at 0 the HPA controller says ScalingDisabled).
        const verdict = hpa?.status?.conditions?.find(
          c => c.type === 'ScalingActive',
        );
        return (
          so.replicas === 1 &&
          verdict?.reason === 'FailedGetExternalMetric' &&
          so.hpa?.conditions.some(
            c =>
              c.type === 'ScalingActive' &&
              c.reason === 'FailedGetExternalMetric',
          ) === true &&
          (await matchesObject(so))
        );
      });
      expect(await activeNow()).toBe('True');
      expect(active).toMatchObject({
        lag: 100,
        active: true,
        replicas: 1,
        lagAsks: 10,
        expectedReplicas: 2,
        bound: 'partitions',
        reason: 'hpa-metrics',
        hpa: { name: hpaName, minReplicas: 1, maxReplicas: 8 },
      });
      expect(active.sentence).toMatch(/once it can, partitions bind at 2\.$/);
    });

    it('says paused once the ScaledObject carries the paused annotation, as KEDA does', async () => {
      await admin.custom.patchNamespacedCustomObject(
        {
          ...scaledObjects,
          name,
          body: {
            metadata: { annotations: { 'autoscaling.keda.sh/paused': 'true' } },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const paused = await scalingUntil(
        name,
        async so =>
          so.reason === 'paused' &&
          statusOf(
            (
              await scaledObjectNow(namespace, name)
            ).conditions,
            'Paused',
          ) === 'True' &&
          (await matchesObject(so)),
      );
      expect(paused.sentence).toMatch(/autoscaling\.keda\.sh\/paused/);
      expect(paused.conditions).toContainEqual(
        expect.objectContaining({ type: 'Paused', status: 'True' }),
      );
    });
  });
});
