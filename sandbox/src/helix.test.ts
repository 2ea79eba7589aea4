/*
 * Integration tests of the sandbox's second cluster (`scripts/sandbox up helix`): the on-prem
 * k3s cluster, kube-apiserver on kine + SQLite. Checked through @kubernetes/client-node with
 * the identities the part issues: the k3s node labels, seed 004's namespaces, Strimzi's and
 * Flux's custom resources, the failing workloads, and the health endpoints' RBAC.
 */
import { execFileSync } from 'node:child_process';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import { sandboxEnv } from './env';

jest.setTimeout(120_000);

const env = sandboxEnv();

function client<T>(
  who: 'admin' | 'portal' | 'restricted' | 'viewer',
  api: new (...args: any[]) => T,
): T {
  const config = new KubeConfig();
  config.loadFromFile(env.helix.kubeconfigs[who]);
  return config.makeApiClient(api as any) as T;
}

const raw = (who: 'portal' | 'restricted' | 'viewer', path: string) => {
  try {
    return execFileSync(
      env.k8s.kubectl,
      ['--kubeconfig', env.helix.kubeconfigs[who], 'get', '--raw', path],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ).toString();
  } catch (error: any) {
    return String(error.stderr);
  }
};

describe('the helix cluster', () => {
  it('is served by its own API server, on kine: etcd checks pass and the version is 1.34.4', () => {
    expect(env.helix.url).not.toBe(env.k8s.url);
    const readyz = raw('portal', '/readyz?verbose');
    expect(readyz).toContain('[+]etcd ok');
    expect(readyz).toContain('readyz check passed');
    expect(JSON.parse(raw('portal', '/version')).gitVersion).toBe('v1.34.4');
  });

  it('has k3s-labelled servers and agents and no EKS node-group label', async () => {
    const { items } = await client('portal', CoreV1Api).listNode();
    const byName = Object.fromEntries(items.map(n => [n.metadata!.name!, n]));
    expect(Object.keys(byName).sort()).toEqual([
      'helix-master-1',
      'helix-master-2',
      'helix-master-3',
      'helix-worker-1',
      'helix-worker-2',
      'helix-worker-3',
      'helix-worker-4',
    ]);
    for (const node of items) {
      const labels = node.metadata!.labels!;
      expect(labels['node.kubernetes.io/instance-type']).toBe('k3s');
      expect(labels['k3s.io/hostname']).toBe(node.metadata!.name);
      expect(labels['eks.amazonaws.com/nodegroup']).toBeUndefined();
      const ready = node.status!.conditions!.find(c => c.type === 'Ready');
      expect(ready?.status).toBe('True');
    }
    expect(
      byName['helix-master-1'].metadata!.labels![
        'node-role.kubernetes.io/control-plane'
      ],
    ).toBe('true');
    expect(byName['helix-master-1'].spec!.taints).toEqual([
      { key: 'CriticalAddonsOnly', value: 'true', effect: 'NoExecute' },
    ]);
    expect(
      byName['helix-worker-1'].metadata!.labels![
        'node-role.kubernetes.io/worker'
      ],
    ).toBe('true');
  });

  it("holds seed 004's namespaces and its failing workloads", async () => {
    const core = client('portal', CoreV1Api);
    const namespaces = (await core.listNamespace()).items.map(
      n => n.metadata!.name!,
    );
    expect(namespaces).toEqual(
      expect.arrayContaining([
        'cert-manager',
        'data-plane',
        'flux-system',
        'istio-system',
        'monitoring',
        'network',
        'production',
        'staging',
      ]),
    );
    const waiting = (ns: string, prefix: string) =>
      core
        .listNamespacedPod({ namespace: ns })
        .then(r =>
          r.items
            .filter(p => p.metadata!.name!.startsWith(prefix))
            .map(p => p.status?.containerStatuses?.[0]?.state?.waiting?.reason),
        );
    expect(await waiting('network', 'cloudflared-')).toEqual([
      'CrashLoopBackOff',
      'CrashLoopBackOff',
    ]);
    expect(await waiting('staging', 'helix-api-')).toEqual([
      'ImagePullBackOff',
    ]);
    // Production's helix-api runs.
    const production = await core.listNamespacedPod({
      namespace: 'production',
    });
    expect(
      production.items.filter(
        p =>
          p.metadata!.name!.startsWith('helix-api-') &&
          p.status?.phase === 'Running',
      ),
    ).toHaveLength(3);
  });

  it("has Strimzi's Kafka and topics and Flux's Kustomizations, with their status", async () => {
    const custom = client('portal', CustomObjectsApi);
    const kafka: any = await custom.getNamespacedCustomObject({
      group: 'kafka.strimzi.io',
      version: 'v1beta2',
      namespace: 'data-plane',
      plural: 'kafkas',
      name: 'helix-kafka',
    });
    expect(kafka.spec.kafka.replicas).toBe(3);
    expect(kafka.status.conditions[0]).toMatchObject({
      type: 'Ready',
      status: 'True',
    });
    const topics: any = await custom.listNamespacedCustomObject({
      group: 'kafka.strimzi.io',
      version: 'v1beta2',
      namespace: 'data-plane',
      plural: 'kafkatopics',
    });
    const ready = Object.fromEntries(
      topics.items.map((t: any) => [
        t.metadata.name,
        t.status.conditions[0].status,
      ]),
    );
    expect(ready).toEqual({
      'ai-completions': 'False',
      'discord-messages': 'True',
      'helix-audit-log': 'True',
      'helix-events': 'True',
    });
    const kustomizations: any = await custom.listNamespacedCustomObject({
      group: 'kustomize.toolkit.fluxcd.io',
      version: 'v1',
      namespace: 'flux-system',
      plural: 'kustomizations',
    });
    expect(
      kustomizations.items
        .filter((k: any) => k.status.conditions[0].status === 'False')
        .map((k: any) => [k.metadata.name, k.status.conditions[0].reason]),
    ).toEqual([['apps', 'BuildFailed']]);
  });

  it('gives the health endpoints and leader Leases to the portal and viewers, not to restricted', () => {
    expect(raw('viewer', '/livez')).toBe('ok');
    expect(raw('restricted', '/readyz')).toMatch(/Forbidden/);
    expect(
      JSON.parse(
        raw(
          'portal',
          '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler',
        ),
      ).spec.holderIdentity,
    ).toMatch(/_/);
    expect(
      raw(
        'restricted',
        '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler',
      ),
    ).toMatch(/Forbidden/);
  });
});
