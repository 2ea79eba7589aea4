/*
 * The index kept current by watch events, over hand-built stores: after every change its
 * answers must equal those of an index built afresh from the same stores (what the views
 * computed per request before). The sandbox tests of cluster-health-backend check the same
 * against the real API server's watch.
 */
import {
  KUBERNETES_ID_LABEL,
  WatchedResource,
} from '@internal/plugin-cluster-health-common';
import { ClusterIndex, INDEXED_RESOURCES } from './ClusterIndex';
import type { CachedObjects, CachedPod, CachedWorkload } from './types';

type Stores = Map<string, Map<string, any>>;

function stores(): Stores {
  return new Map(
    [...INDEXED_RESOURCES, 'events'].map(r => [r, new Map<string, any>()]),
  );
}

function indexOver(s: Stores) {
  return new ClusterIndex({
    get: (resource, uid) => s.get(resource)?.get(uid),
    values: resource => s.get(resource)?.values() ?? [],
  });
}

/** Applies a change to the stores and tells the index, as an informer does. */
function change<R extends WatchedResource>(
  s: Stores,
  index: ClusterIndex,
  resource: R,
  uid: string,
  current: CachedObjects[R] | undefined,
) {
  const store = s.get(resource)!;
  const previous = store.get(uid);
  if (current) store.set(uid, current);
  else store.delete(uid);
  index.update(resource, previous, current);
}

const workload = (
  kind: CachedWorkload['kind'],
  name: string,
  uid: string,
  labels: Record<string, string> = {},
  owners: CachedWorkload['owners'] = [],
): CachedWorkload => ({
  kind,
  name,
  uid,
  namespace: 'data',
  labels,
  owners,
  desired: 1,
  ready: 1,
  updated: 1,
  available: 1,
  images: [],
  conditions: [],
});

const pod = (
  name: string,
  owner: { kind: string; name: string; uid: string } | undefined,
  overrides: Partial<CachedPod> = {},
): CachedPod => ({
  name,
  uid: `pod-${name}`,
  namespace: 'data',
  labels: {},
  owners: owner ? [owner] : [],
  phase: 'Running',
  ready: true,
  requests: { cpuMillis: 0, memoryBytes: 0, gpus: 0 },
  containers: [],
  deleting: false,
  annotations: {},
  nodeSelector: {},
  tolerations: [],
  affinityTerms: [],
  nodeName: 'n1',
  ...overrides,
});

/** Everything the index answers, in a comparable form. */
function answers(index: ClusterIndex, ids: string[]) {
  const names = (list: { name: string }[]) => list.map(o => o.name).sort();
  return {
    ids: Object.fromEntries(
      ids.map(id => [
        id,
        Object.fromEntries(
          Object.entries(index.withId(id)).map(([r, list]) => [r, names(list)]),
        ),
      ]),
    ),
    ownedByRs: names(index.podsOwnedBy('rs-1')),
    onN1: names(index.podsOnNode('n1')),
    notReady: [...index.notReadyNodes()].sort(),
    events: index.eventsAbout('Pod', 'data', 'webapp-a').map(e => e.uid),
  };
}

describe('ClusterIndex', () => {
  it('answers as an index built afresh after every watch event: pods, owners, nodes, events', () => {
    const s = stores();
    const live = indexOver(s);
    const ids = ['webapp', 'other'];
    const check = () =>
      expect(answers(live, ids)).toEqual(answers(indexOver(s), ids));

    const deployment = workload('Deployment', 'webapp', 'dep-1', {
      [KUBERNETES_ID_LABEL]: 'webapp',
    });
    const rs = workload('ReplicaSet', 'webapp-1', 'rs-1', {}, [
      { kind: 'Deployment', name: 'webapp', uid: 'dep-1' },
    ]);
    const rsRef = { kind: 'ReplicaSet', name: 'webapp-1', uid: 'rs-1' };
    // The first read builds the index; the events after it are applied one by one.
    check();
    // A pod whose ReplicaSet and Deployment arrive after it (as a watch may deliver them).
    change(s, live, 'pods', 'pod-webapp-a', pod('webapp-a', rsRef));
    check();
    expect(live.kubernetesIdOf('pod-webapp-a')).toBeUndefined();
    change(s, live, 'replicasets', 'rs-1', rs);
    change(s, live, 'deployments', 'dep-1', deployment);
    check();
    expect(live.withId('webapp').pods.map(p => p.name)).toEqual(['webapp-a']);

    change(s, live, 'pods', 'pod-webapp-b', pod('webapp-b', rsRef));
    change(
      s,
      live,
      'pods',
      'pod-own',
      pod('own', undefined, {
        labels: { [KUBERNETES_ID_LABEL]: 'other' },
      }),
    );
    change(s, live, 'nodes', 'node-1', {
      name: 'n1',
      uid: 'node-1',
      labels: {},
      ready: false,
      unschedulable: false,
      taints: [],
      allocatable: { cpuMillis: 0, memoryBytes: 0, gpus: 0 },
    });
    change(s, live, 'events', 'ev-1', {
      uid: 'ev-1',
      namespace: 'data',
      object: { kind: 'Pod', name: 'webapp-a', namespace: 'data' },
      reason: 'BackOff',
      message: 'back-off restarting',
      count: 3,
    });
    check();
    expect(answers(live, ids).notReady).toEqual(['n1']);
    expect(answers(live, ids).events).toEqual(['ev-1']);

    // The Deployment's label moves to another id: every pod below it follows.
    change(
      s,
      live,
      'deployments',
      'dep-1',
      workload('Deployment', 'webapp', 'dep-1', {
        [KUBERNETES_ID_LABEL]: 'other',
      }),
    );
    check();
    expect(live.withId('webapp').pods).toEqual([]);
    expect(
      live
        .withId('other')
        .pods.map(p => p.name)
        .sort(),
    ).toEqual(['own', 'webapp-a', 'webapp-b']);

    // A pod moves node, one is deleted, the ReplicaSet goes, the node turns Ready.
    change(
      s,
      live,
      'pods',
      'pod-webapp-b',
      pod('webapp-b', rsRef, { nodeName: 'n2' }),
    );
    change(s, live, 'pods', 'pod-webapp-a', undefined);
    change(s, live, 'replicasets', 'rs-1', undefined);
    change(s, live, 'events', 'ev-1', undefined);
    change(s, live, 'nodes', 'node-1', {
      ...s.get('nodes')!.get('node-1'),
      ready: true,
    });
    check();
    expect(live.kubernetesIdOf('pod-webapp-b')).toBeUndefined();
    expect(answers(live, ids).notReady).toEqual([]);
  });

  it('sees the current object, not the one of the last build: a pod that turns failing shows at once', () => {
    const s = stores();
    const live = indexOver(s);
    const healthy = pod('api-0', undefined, {
      labels: { [KUBERNETES_ID_LABEL]: 'api' },
    });
    change(s, live, 'pods', healthy.uid, healthy);
    expect(live.withId('api').pods[0].ready).toBe(true);
    change(s, live, 'pods', healthy.uid, {
      ...healthy,
      ready: false,
      containers: [
        {
          name: 'main',
          image: 'api:1',
          ready: false,
          restartCount: 4,
          waitingReason: 'CrashLoopBackOff',
        },
      ],
    });
    expect(live.withId('api').pods[0].containers[0].waitingReason).toBe(
      'CrashLoopBackOff',
    );
  });

  it('rebuilds after a reset (a relist replaced the store)', () => {
    const s = stores();
    const live = indexOver(s);
    expect(live.withId('api').pods).toEqual([]);
    // A relist: the store is replaced without per-object events.
    const relisted = pod('api-0', undefined, {
      labels: { [KUBERNETES_ID_LABEL]: 'api' },
    });
    s.get('pods')!.set(relisted.uid, relisted);
    live.reset('pods');
    expect(live.withId('api').pods.map(p => p.name)).toEqual(['api-0']);
  });
});
