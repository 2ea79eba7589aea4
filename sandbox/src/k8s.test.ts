/*
 * Integration tests of the sandbox's Kubernetes (`scripts/sandbox up k8s`): a real
 * kube-apiserver, controller-manager and scheduler with KWOK playing the kubelets. What
 * the portal's plugins rely on is checked through @kubernetes/client-node with the
 * identities the sandbox issues.
 *
 * @sandbox-stops k8s: restarts the whole cluster (new tokens for every identity)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PolicyV1Api,
  V1Deployment,
  V1Pod,
} from '@kubernetes/client-node';
import { sandboxEnv } from './env';

jest.setTimeout(180_000);

const run = promisify(execFile);
const env = sandboxEnv();
/** The GithubReleases `up k8s` creates (tests and templates may add more). */
const SEEDED_RELEASES = ['kafka-v3-9-1', 'strimzi-0-48-0', 'vllm-v0-11-0'];

function client<T>(
  who: 'admin' | 'portal' | 'restricted' | 'viewer',
  api: new (...args: any[]) => T,
): T {
  const config = new KubeConfig();
  config.loadFromFile(env.k8s.kubeconfigs[who]);
  return config.makeApiClient(api as any) as T;
}

let core = client('portal', CoreV1Api);
const nodeGroup = (name: string) => `eks.amazonaws.com/nodegroup=${name}`;

async function statusCode(call: Promise<unknown>) {
  try {
    await call;
    return 200;
  } catch (error: any) {
    return error.code as number;
  }
}

function deployment(name: string): V1Deployment {
  return {
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: 'nginx:1.27' }] },
      },
    },
  };
}

describe('the platform cluster', () => {
  it('has the general and gpu node groups with EKS labels, GPU capacity and taints', async () => {
    const general = await core.listNode({
      labelSelector: nodeGroup('general'),
    });
    expect(general.items).toHaveLength(3);
    expect(
      new Set(
        general.items.map(
          n => n.metadata!.labels!['topology.kubernetes.io/zone'],
        ),
      ),
    ).toEqual(new Set(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']));
    for (const node of general.items) {
      expect(node.metadata!.labels!['node.kubernetes.io/instance-type']).toBe(
        'm5.xlarge',
      );
      expect(node.status!.allocatable!['nvidia.com/gpu']).toBeUndefined();
    }

    const gpu = await core.listNode({ labelSelector: nodeGroup('gpu') });
    const gpus = Object.fromEntries(
      gpu.items.map(n => [
        n.metadata!.labels!['node.kubernetes.io/instance-type'],
        n.status!.allocatable!['nvidia.com/gpu'],
      ]),
    );
    expect(gpus).toEqual({ 'g5.xlarge': '1', 'p4d.24xlarge': '8' });
    for (const node of gpu.items) {
      expect(node.metadata!.labels!['nvidia.com/gpu.present']).toBe('true');
      expect(node.spec!.taints).toContainEqual(
        expect.objectContaining({
          key: 'nvidia.com/gpu',
          effect: 'NoSchedule',
        }),
      );
    }
  });

  it('has exactly one NotReady node, with the reason', async () => {
    const nodes = await core.listNode();
    const notReady = nodes.items.filter(
      n =>
        n.status!.conditions!.find(c => c.type === 'Ready')!.status !== 'True',
    );
    expect(notReady.map(n => n.metadata!.name)).toEqual([
      'ip-10-0-3-47.eu-west-1.compute.internal',
    ]);
    // The kubelet's report at first (the CNI did not start); once the grace period is
    // over, the node controller's.
    expect(
      notReady[0].status!.conditions!.find(c => c.type === 'Ready')!.message,
    ).toMatch(/CNI|stopped posting/);
  });

  it('schedules GPU pods on GPU nodes only, and leaves one Pending for lack of GPUs', async () => {
    const nodes = await core.listNode({ labelSelector: nodeGroup('gpu') });
    const gpuNodes = new Set(nodes.items.map(n => n.metadata!.name));
    const pods = await core.listNamespacedPod({
      namespace: 'ml',
      labelSelector:
        'app.kubernetes.io/name in (llm-chat-server, embedding-server)',
    });
    const scheduled = pods.items.filter(p => p.spec!.nodeName);
    expect(scheduled).toHaveLength(3);
    for (const pod of scheduled)
      expect(gpuNodes.has(pod.spec!.nodeName!)).toBe(true);

    const pending = pods.items.filter(p => !p.spec!.nodeName);
    expect(pending).toHaveLength(1);
    const condition = pending[0].status!.conditions!.find(
      c => c.type === 'PodScheduled',
    )!;
    expect(condition.reason).toBe('Unschedulable');
    expect(condition.message).toContain('Insufficient nvidia.com/gpu');
  });

  it('runs node agents everywhere, GPU agents on GPU nodes, and fluent-bit misses the GPU nodes', async () => {
    const apps = client('portal', AppsV1Api);
    const daemonSets = await apps.listDaemonSetForAllNamespaces();
    const desired = Object.fromEntries(
      daemonSets.items.map(d => [
        d.metadata!.name,
        d.status!.desiredNumberScheduled,
      ]),
    );
    expect(desired).toEqual({
      'kube-proxy': 5,
      'aws-node': 5,
      'ebs-csi-node': 5,
      'prometheus-node-exporter': 5,
      'nvidia-device-plugin': 2,
      'dcgm-exporter': 2,
      // no toleration for nvidia.com/gpu, nor for the NotReady node's taint
      'fluent-bit': 2,
    });
  });

  it('brings the failure cases to their states, with warning events', async () => {
    const pods = await core.listPodForAllNamespaces();
    const byApp = (name: string) =>
      pods.items.filter(
        p => p.metadata!.labels!['app.kubernetes.io/name'] === name,
      );
    const waiting = (pod: V1Pod) =>
      pod.status!.containerStatuses?.[0]?.state?.waiting?.reason;

    expect(byApp('release-notifier').map(waiting)).toEqual([
      'CrashLoopBackOff',
    ]);
    expect(byApp('webapp-consumer').map(waiting).sort()).toEqual([
      'ImagePullBackOff',
      undefined,
      undefined,
    ]);

    const jobs = await client('portal', BatchV1Api).listNamespacedJob({
      namespace: 'operators',
    });
    const failed = jobs.items.filter(j =>
      j.status!.conditions?.some(
        c => c.type === 'Failed' && c.status === 'True',
      ),
    );
    expect(failed.map(j => j.metadata!.name)).toEqual([
      'produce-strimzi-0-48-0',
    ]);

    const events = await core.listEventForAllNamespaces({
      fieldSelector: 'type=Warning',
    });
    const reasons = new Set(events.items.map(e => e.reason));
    for (const reason of [
      'BackOff',
      'Failed',
      'FailedScheduling',
      'BackoffLimitExceeded',
    ]) {
      expect(reasons).toContain(reason);
    }
  });

  it('holds GithubRelease objects owning their producer Jobs, and a ScaledObject for llm-ingestors', async () => {
    const custom = client('portal', CustomObjectsApi);
    const releases: any = await custom.listNamespacedCustomObject({
      group: 'platform.example.com',
      version: 'v1alpha1',
      namespace: 'operators',
      plural: 'githubreleases',
    });
    expect(
      Object.fromEntries(
        releases.items
          .filter((r: any) => SEEDED_RELEASES.includes(r.metadata.name))
          .map((r: any) => [r.metadata.name, r.status.phase]),
      ),
    ).toEqual({
      'kafka-v3-9-1': 'Succeeded',
      'strimzi-0-48-0': 'Failed',
      'vllm-v0-11-0': 'Succeeded',
    });
    const jobs = await client('portal', BatchV1Api).listNamespacedJob({
      namespace: 'operators',
    });
    for (const release of releases.items.filter((r: any) =>
      SEEDED_RELEASES.includes(r.metadata.name),
    )) {
      const job = jobs.items.find(
        j => j.metadata!.name === release.status.jobName,
      )!;
      expect(job.metadata!.ownerReferences![0]).toMatchObject({
        kind: 'GithubRelease',
        uid: release.metadata.uid,
      });
    }

    const scaled: any = await custom.getNamespacedCustomObject({
      group: 'keda.sh',
      version: 'v1alpha1',
      namespace: 'ml',
      plural: 'scaledobjects',
      name: 'llm-ingestors',
    });
    expect(scaled.spec.scaleTargetRef.name).toBe('llm-ingestors');
    expect(scaled.spec.triggers[0]).toMatchObject({
      type: 'kafka',
      metadata: { topic: 'raw-events', consumerGroup: 'llm-ingestors' },
    });
  });
});

describe('identities', () => {
  it('lets the portal read but not write outside its deploy namespaces', async () => {
    const apps = client('portal', AppsV1Api);
    expect(await statusCode(apps.listDeploymentForAllNamespaces())).toBe(200);
    expect(
      await statusCode(core.listNamespacedSecret({ namespace: 'ml' })),
    ).toBe(403);
    expect(
      await statusCode(
        apps.createNamespacedDeployment({
          namespace: 'kube-system',
          body: deployment('not-allowed'),
          dryRun: 'All',
        }),
      ),
    ).toBe(403);
    expect(
      await statusCode(
        apps.createNamespacedDeployment({
          namespace: 'apps',
          body: deployment('allowed'),
          dryRun: 'All',
        }),
      ),
    ).toBe(200);
  });

  it('refuses a Deployment to the read-only viewer (403)', async () => {
    const apps = client('viewer', AppsV1Api);
    expect(
      await statusCode(apps.listNamespacedDeployment({ namespace: 'data' })),
    ).toBe(200);
    expect(
      await statusCode(
        apps.createNamespacedDeployment({
          namespace: 'apps',
          body: deployment('no'),
        }),
      ),
    ).toBe(403);
  });

  it('refuses PodDisruptionBudgets to the restricted identity, and nothing else it needs', async () => {
    expect(
      await statusCode(
        client(
          'restricted',
          PolicyV1Api,
        ).listPodDisruptionBudgetForAllNamespaces(),
      ),
    ).toBe(403);
    expect(await statusCode(client('restricted', CoreV1Api).listNode())).toBe(
      200,
    );
  });
});

describe('down and up again', () => {
  it('gives the same cluster', async () => {
    const shape = async () => {
      const [nodes, pods] = await Promise.all([
        core.listNode(),
        core.listPodForAllNamespaces(),
      ]);
      return {
        nodes: nodes.items.map(n => n.metadata!.name).sort(),
        pods: pods.items
          .map(
            p =>
              `${p.metadata!.namespace}/${
                p.metadata!.labels!['app.kubernetes.io/name'] ??
                p.metadata!.labels!['job-name']
              }:${p.status!.phase}`,
          )
          .sort(),
      };
    };
    // Stop and start the control plane twice: each start rebuilds the same cluster (and
    // issues the portal a new token, so the clients are made again). Comparing two fresh
    // starts keeps objects that earlier tests added out of the comparison.
    await run(env.cli, ['k8s', 'restart']);
    core = client('portal', CoreV1Api);
    const first = await shape();
    await run(env.cli, ['k8s', 'restart']);
    core = client('portal', CoreV1Api);
    expect(await shape()).toEqual(first);
  });
});
