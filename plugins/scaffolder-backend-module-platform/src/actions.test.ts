/*
 * The actions against the sandbox's real Kafka and Kubernetes API server
 * (`scripts/sandbox up kafka k8s`): a first run, a second run (nothing duplicated, no error),
 * a dry run (nothing created), and bad input (which field, and nothing created). A task
 * resumed after its backend died, through the scaffolder itself: scaffolderBackend.test.ts.
 */
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { retrying, sandboxCluster, sandboxEnv } from '@internal/sandbox';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { Kafka, logLevel } from 'kafkajs';
import { PlatformClients } from './clients';
import { createKafkaTopicAction } from './actions/kafkaTopicCreate';
import {
  createKubernetesApplyAction,
  createNamespaceEnsureAction,
} from './actions/kubernetesApply';
import { createValidateAction } from './actions/validate';

jest.setTimeout(180_000);

const env = sandboxEnv();
const suffix = Date.now().toString(36);

const clients = new PlatformClients(
  new ConfigReader({
    kafka: {
      clusters: [{ name: 'platform-kafka', brokers: env.kafkaBrokers }],
    },
    kubernetes: {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            sandboxCluster('eks-data-platform', env.k8s.kubeconfigs.portal),
          ],
        },
      ],
    },
  }),
);

const admin = (() => {
  const config = new KubeConfig();
  config.loadFromFile(env.k8s.kubeconfigs.admin);
  return {
    apps: config.makeApiClient(AppsV1Api),
    core: config.makeApiClient(CoreV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
  };
})();
const kafkaAdmin = new Kafka({
  clientId: 'scaffolder-test',
  brokers: env.kafkaBrokers,
  logLevel: logLevel.NOTHING,
}).admin();

beforeAll(() => kafkaAdmin.connect());
afterAll(() => kafkaAdmin.disconnect());

/**
 * An action context. Its checkpoint runs the function every time; resuming a task through the
 * scaffolder's own task runner and checkpoints is tested in scaffolderBackend.test.ts.
 */
function context(
  input: Record<string, unknown>,
  options: { dryRun?: boolean } = {},
) {
  const ctx = createMockActionContext({ input: input as any });
  return Object.assign(ctx, { isDryRun: options.dryRun ?? false });
}

describe('kafka:topic:create', () => {
  const action = createKafkaTopicAction(clients);
  const topic = `scaffolder-test-${suffix}`;
  const input = {
    cluster: 'platform-kafka',
    topic,
    partitions: 6,
    replicationFactor: 3,
    configs: { 'retention.ms': '86400000' },
  };

  it('does nothing on a dry run', async () => {
    const ctx = context(input, { dryRun: true });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('created', false);
    expect(await kafkaAdmin.listTopics()).not.toContain(topic);
  });

  it('creates the topic; a second task asking for the same topic succeeds and creates nothing', async () => {
    const first = context(input);
    await action.handler(first as any);
    expect(first.output).toHaveBeenCalledWith('created', true);
    const { topics } = await retrying(() =>
      kafkaAdmin.fetchTopicMetadata({ topics: [topic] }),
    );
    expect(topics[0].partitions).toHaveLength(6);

    // a new task asking for the same topic: success, nothing created
    const again = context(input);
    await action.handler(again as any);
    expect(again.output).toHaveBeenCalledWith('created', false);
  });

  it('refuses the same topic with other settings, naming them', async () => {
    await expect(
      action.handler(context({ ...input, partitions: 12 }) as any),
    ).rejects.toThrow(/partitions: exists with 6, asked for 12/);
  });

  it('refuses more replicas than brokers, creating nothing', async () => {
    const other = `${topic}-rf`;
    await expect(
      action.handler(
        context({ ...input, topic: other, replicationFactor: 5 }) as any,
      ),
    ).rejects.toThrow(/replicationFactor: 5 is more than the 3 brokers/);
    expect(await kafkaAdmin.listTopics()).not.toContain(other);
  });
});

describe('kubernetes:apply', () => {
  const action = createKubernetesApplyAction(clients, {
    rolloutTimeoutSeconds: 60,
  });
  const name = `probe-${suffix}`;
  const manifests = (extra = '') => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: { backstage.io/kubernetes-id: ${name} }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata:
      labels: { app: ${name}${extra} }
    spec:
      nodeSelector: { eks.amazonaws.com/nodegroup: general }
      containers:
        - name: web
          image: ghcr.io/ml-platform/${name}:1.0.0
          resources: { requests: { cpu: 10m, memory: 16Mi } }
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector: { app: ${name} }
  ports: [{ port: 80 }]
`;
  const input = (text: string) => ({
    cluster: 'eks-data-platform',
    namespace: 'apps',
    manifests: text,
    fieldManager: 'backstage-scaffolder',
    waitForRollout: true,
  });

  afterAll(async () => {
    await admin.apps
      .deleteNamespacedDeployment({ name, namespace: 'apps' })
      .catch(() => undefined);
    await admin.core
      .deleteNamespacedService({ name, namespace: 'apps' })
      .catch(() => undefined);
    await admin.apps
      .deleteNamespacedDeployment({ name: `${name}-bad`, namespace: 'apps' })
      .catch(() => undefined);
  });

  it('dry-runs through the API server: nothing is created', async () => {
    const ctx = context(input(manifests()), { dryRun: true });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('applied', [
      `Deployment/apps/${name}`,
      `Service/apps/${name}`,
    ]);
    await expect(
      admin.apps.readNamespacedDeployment({ name, namespace: 'apps' }),
    ).rejects.toMatchObject({
      code: 404,
    });
  });

  it('applies, waits until available, and applies again without change', async () => {
    await action.handler(context(input(manifests())) as any);
    const deployment = await admin.apps.readNamespacedDeployment({
      name,
      namespace: 'apps',
    });
    expect(deployment.status!.availableReplicas).toBe(2);
    const generation = deployment.metadata!.generation;

    await action.handler(context(input(manifests())) as any);
    const after = await admin.apps.readNamespacedDeployment({
      name,
      namespace: 'apps',
    });
    expect(after.metadata!.generation).toBe(generation);
    const pods = await admin.core.listNamespacedPod({
      namespace: 'apps',
      labelSelector: `app=${name}`,
    });
    expect(pods.items.filter(p => !p.metadata!.deletionTimestamp)).toHaveLength(
      2,
    );
    for (const pod of pods.items) {
      expect(pod.spec!.nodeName).toMatch(/^ip-10-0-[12]-/); // the general node group's Ready nodes
    }
  });

  it('says why a Deployment does not become available', async () => {
    const bad = manifests(
      ', sandbox.ml-platform.io/fault: image-pull',
    ).replaceAll(name, `${name}-bad`);
    await expect(
      action.handler(context({ ...input(bad), timeoutSeconds: 15 }) as any),
    ).rejects.toThrow(/did not become available .*ImagePullBackOff/);
  });

  it('rejects an invalid name and too many GPUs before touching the cluster', async () => {
    await expect(
      action.handler(
        context(input(manifests().replaceAll(name, 'Not_Valid'))) as any,
      ),
    ).rejects.toThrow(
      /metadata.name "Not_Valid" is not a valid Kubernetes name/,
    );
    const greedy = manifests().replace(
      'resources: { requests: { cpu: 10m, memory: 16Mi } }',
      "resources: { limits: { nvidia.com/gpu: '16' } }",
    );
    await expect(action.handler(context(input(greedy)) as any)).rejects.toThrow(
      /gpus: .* asks for 16 nvidia.com\/gpu per pod; the largest GPU node .* has 8/,
    );
  });

  it('reports a 403 outside the namespaces the portal deploys to', async () => {
    await expect(
      action.handler(
        context({ ...input(manifests()), namespace: 'kube-system' }) as any,
      ),
    ).rejects.toThrow(/may not apply it/);
  });
});

describe('kubernetes:apply of a KEDA-scaled workload', () => {
  const action = createKubernetesApplyAction(clients, {
    rolloutTimeoutSeconds: 60,
  });
  const name = `keda-${suffix}`;
  // As a template author would write it: with a replica count, which KEDA owns.
  const manifests = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      nodeSelector: { eks.amazonaws.com/nodegroup: general }
      containers:
        - name: consumer
          image: ghcr.io/ml-platform/kafka-consumer:1.0.0
          resources: { requests: { cpu: 10m, memory: 16Mi } }
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: ${name} }
spec:
  scaleTargetRef: { name: ${name} }
  maxReplicaCount: 6
  triggers:
    - type: kafka
      metadata: { topic: ${name}, consumerGroup: ${name}, lagThreshold: '10' }
`;
  const input = {
    cluster: 'eks-data-platform',
    namespace: 'data',
    manifests,
    waitForRollout: false,
  };

  afterAll(async () => {
    await admin.apps
      .deleteNamespacedDeployment({ name, namespace: 'data' })
      .catch(() => undefined);
    await admin.custom
      .deleteNamespacedCustomObject({
        group: 'keda.sh',
        version: 'v1alpha1',
        namespace: 'data',
        plural: 'scaledobjects',
        name,
      })
      .catch(() => undefined);
  });

  it('leaves the replica count to the autoscaler: a re-run after it scaled neither conflicts nor resets it', async () => {
    const first = context(input);
    await action.handler(first as any);
    // What KEDA's HorizontalPodAutoscaler does: write the scale subresource as its own manager.
    await admin.apps.patchNamespacedDeploymentScale(
      {
        name,
        namespace: 'data',
        body: { spec: { replicas: 3 } },
        fieldManager: 'kube-controller-manager',
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const again = context(input);
    await action.handler(again as any);
    const live = await admin.apps.readNamespacedDeployment({
      name,
      namespace: 'data',
    });
    expect(live.spec!.replicas).toBe(3);
    // The portal's field manager owns the Deployment's spec, but not its replica count.
    const portal = (live.metadata!.managedFields ?? []).filter(
      f => f.manager === 'backstage-scaffolder',
    );
    expect(portal).toHaveLength(1);
    expect((portal[0].fieldsV1 as any)['f:spec']).toHaveProperty('f:template');
    expect((portal[0].fieldsV1 as any)['f:spec']).not.toHaveProperty(
      'f:replicas',
    );
  });
});

describe('kubernetes:namespace:ensure and platform:validate', () => {
  it('accepts an existing namespace and explains a missing one the portal may not create', async () => {
    const action = createNamespaceEnsureAction(clients);
    const ok = context({ cluster: 'eks-data-platform', namespace: 'apps' });
    await action.handler(ok as any);
    expect(ok.output).toHaveBeenCalledWith('created', false);
    await expect(
      action.handler(
        context({
          cluster: 'eks-data-platform',
          namespace: `nope-${suffix}`,
        }) as any,
      ),
    ).rejects.toThrow(/may not create it/);
  });

  it('names each wrong parameter', async () => {
    const action = createValidateAction(clients);
    await expect(
      action.handler(
        context({ name: 'Bad_Name', partitions: 6, maxReplicas: 12 }) as any,
      ),
    ).rejects.toThrow(
      /name: "Bad_Name" is not a valid Kubernetes name.*maxReplicas: 12 is more than the topic's 6 partitions/,
    );
    await expect(
      action.handler(
        context({
          name: 'ok',
          kafkaCluster: 'platform-kafka',
          replicationFactor: 4,
          kubernetesCluster: 'eks-data-platform',
          namespace: 'nowhere',
          gpus: 9,
        }) as any,
      ),
    ).rejects.toThrow(
      /replicationFactor: 4 is more than the 3 brokers.*namespace: nowhere does not exist.*gpus: 9 is more than the largest GPU node/,
    );
    await action.handler(
      context({
        name: 'ok',
        kafkaCluster: 'platform-kafka',
        replicationFactor: 3,
        partitions: 12,
        maxReplicas: 12,
        kubernetesCluster: 'eks-data-platform',
        namespace: 'data',
        gpus: 8,
      }) as any,
    );
  });
});
