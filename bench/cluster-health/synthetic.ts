/*
 * The entity view's own work on a synthetic cluster of the scaled sandbox's shape, with no
 * API server, backend or HTTP: for profiling the service between runs against the sandbox
 * (run.ts and memory.ts measure for real).
 *
 *   node --expose-gc -r sucrase/register bench/cluster-health/synthetic.ts [nodes] [pods]
 *
 * The objects are API server JSON (as kube-apiserver 1.34 and KWOK write them for the
 * pods of `scripts/sandbox k8s scale`: 1,000 Deployments of 10 replicas in 200 namespaces,
 * one in ten labelled backstage.io/kubernetes-id=scale-service), parsed from JSON text as
 * the informer parses a page and stored through the cache's own projections into the
 * cache's own index. Prints the service's getEntity time (p50/p95 of 200 calls, the catalog
 * a mock answering at once), the same after a pod changed, and the heap per cached pod.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  ClusterCache,
  ClusterView,
} from '@internal/plugin-cluster-health-node';
import { ClusterIndex } from '@internal/plugin-cluster-health-node/src/ClusterIndex';
import { PROJECTIONS } from '@internal/plugin-cluster-health-node/src/projections';
import { DefaultClusterHealthService } from '@internal/plugin-cluster-health-backend/src/service/DefaultClusterHealthService';
import { percentile } from '../lib';

const NODES = Number(process.argv[2] ?? 500);
const PODS = Number(process.argv[3] ?? 10000);
const NAMESPACES = 200;
const PER_NAMESPACE = 5;
const ID = 'backstage.io/kubernetes-id';
const gc = (globalThis as { gc?: () => void }).gc;

let serial = 0;
const uid = () =>
  `${(serial++).toString(16).padStart(8, '0')}-1b2c-4d5e-8f90-a1b2c3d4e5f6`;
const at = (s: number) =>
  new Date(Date.UTC(2026, 11, 2, 10, 0, s)).toISOString();

function rawNode(i: number) {
  return {
    metadata: {
      name: `scale-general-${i}`,
      uid: uid(),
      creationTimestamp: at(i % 60),
      labels: {
        'eks.amazonaws.com/nodegroup': 'scale-general',
        'kubernetes.io/hostname': `scale-general-${i}`,
        'topology.kubernetes.io/zone': `eu-west-1${'abc'[i % 3]}`,
      },
    },
    spec: { taints: [{ key: 'sandbox', value: 'true', effect: 'NoSchedule' }] },
    status: {
      allocatable: { cpu: '32', memory: '128Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    },
  };
}

function rawWorkloads() {
  const deployments: any[] = [];
  const replicasets: any[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    for (let d = 0; d < PER_NAMESPACE; d++) {
      const labels: Record<string, string> = { app: `service-${d}` };
      if (d === 0 && n % 2 === 0) labels[ID] = 'scale-service';
      if (d === 1 && n === 0) labels[ID] = 'webapp';
      const deployment = {
        metadata: {
          name: `service-${d}`,
          namespace: `scale-${n}`,
          uid: uid(),
          labels,
          generation: 1,
          creationTimestamp: at(n % 60),
        },
        spec: {
          replicas: PODS / (NAMESPACES * PER_NAMESPACE),
          template: {
            spec: { containers: [{ image: 'registry.k8s.io/pause:3.10' }] },
          },
        },
        status: {
          observedGeneration: 1,
          readyReplicas: 10,
          updatedReplicas: 10,
          availableReplicas: 10,
        },
      };
      deployments.push(deployment);
      replicasets.push({
        metadata: {
          name: `service-${d}-5d8c7b9f4`,
          namespace: deployment.metadata.namespace,
          uid: uid(),
          labels: { ...labels, 'pod-template-hash': '5d8c7b9f4' },
          ownerReferences: [
            {
              kind: 'Deployment',
              name: deployment.metadata.name,
              uid: deployment.metadata.uid,
            },
          ],
        },
        spec: deployment.spec,
        status: deployment.status,
      });
    }
  }
  return { deployments, replicasets };
}

function rawPod(rs: any, i: number) {
  const name = `${rs.metadata.name}-${(i * 7919)
    .toString(36)
    .padStart(5, 'x')}`;
  return {
    metadata: {
      name,
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      uid: uid(),
      resourceVersion: String(100000 + i),
      creationTimestamp: at(i % 60),
      labels: { ...rs.metadata.labels },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.k8s.io/pause:3.10',
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
        },
      ],
      nodeName: `scale-general-${i % NODES}`,
      tolerations: [
        { key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' },
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
    },
    status: {
      phase: 'Running',
      startTime: at(i % 60),
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
      containerStatuses: [
        {
          name: 'app',
          image: 'registry.k8s.io/pause:3.10',
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: at(i % 60) } },
        },
      ],
    },
  };
}

/** Objects as the informer keeps them: parsed from JSON text, projected, keyed by UID. */
function project<R extends keyof typeof PROJECTIONS>(resource: R, raw: any[]) {
  const parsed = JSON.parse(JSON.stringify(raw));
  return new Map(
    parsed.map((o: any) => [o.metadata.uid, PROJECTIONS[resource](o)]),
  ) as Map<string, ReturnType<(typeof PROJECTIONS)[R]>>;
}

function heap() {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function main() {
  const { deployments, replicasets } = rawWorkloads();
  const rawPods = Array.from({ length: PODS }, (_, i) =>
    rawPod(replicasets[i % replicasets.length], i),
  );
  const rawNodes = Array.from({ length: NODES }, (_, i) => rawNode(i));

  const before = heap();
  const maps: Record<string, Map<string, any>> = {
    nodes: project('nodes', rawNodes),
    deployments: project('deployments', deployments),
    replicasets: project('replicasets', replicasets),
    pods: project('pods', rawPods),
  };
  const afterObjects = heap();
  const index = new ClusterIndex({
    get: (resource, key) => maps[resource]?.get(key),
    values: resource => maps[resource]?.values() ?? [],
  });
  index.reset();
  index.withId('scale-service');
  const afterIndex = heap();

  const view: ClusterView = {
    name: 'eks',
    url: 'https://127.0.0.1:1',
    freshness: () => [],
    list: (resource: string) => [...(maps[resource]?.values() ?? [])],
    controlPlane: () => ({} as any),
    index: () => index,
  } as ClusterView;
  const cache: ClusterCache = {
    clusters: () => [view],
    cluster: name => (name === 'eks' ? view : undefined),
    unsupported: () => [],
    ready: async () => undefined,
  };
  const component = (name: string) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations: { [ID]: name } },
    spec: { owner: 'web-team' },
  });
  const entities = [component('webapp'), component('scale-service')];
  const service = DefaultClusterHealthService.create({
    config: {
      nodeGroupLabels: ['eks.amazonaws.com/nodegroup'],
      alertmanagers: [],
    },
    cache,
    catalog: {
      getEntities: async () => ({ items: entities }),
      getEntityByRef: async ({ name }: { name: string }) =>
        entities.find(e => e.metadata.name === name),
    } as unknown as CatalogService,
    logger: { child: () => ({}) } as unknown as LoggerService,
  });
  const credentials = mockCredentials.user('user:default/alice');
  let entityRef = 'component:default/webapp';
  const time = async (rounds: number, between?: (i: number) => void) => {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      between?.(i);
      const t0 = performance.now();
      await service.getEntity(entityRef, { credentials });
      times.push(performance.now() - t0);
    }
    return `p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(
      times,
      95,
    ).toFixed(2)} ms`;
  };
  await time(20);
  console.log(
    `getEntity of webapp (10 pods), ${NODES} nodes / ${PODS} pods: ${await time(
      200,
    )}`,
  );
  entityRef = 'component:default/scale-service';
  await time(20);
  console.log(`getEntity of scale-service (1,000 pods): ${await time(200)}`);
  entityRef = 'component:default/webapp';
  const pods = [...maps.pods.values()];
  console.log(
    `getEntity of webapp after a pod change each time: ${await time(200, i => {
      const pod = pods[(i * 37) % pods.length];
      const changed = { ...pod, ready: !pod.ready };
      maps.pods.set(pod.uid, changed);
      index.update('pods', pod, changed);
    })}`,
  );
  console.log(
    `heap: ${((afterObjects - before) / PODS).toFixed(
      0,
    )} B per pod for the projections ` +
      `(nodes, workloads, pods over pods), ${(
        (afterIndex - afterObjects) /
        PODS
      ).toFixed(0)} B per pod for the index`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
