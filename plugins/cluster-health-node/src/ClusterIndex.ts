import {
  KUBERNETES_ID_LABEL,
  WatchedResource,
} from '@internal/plugin-cluster-health-common';
import type {
  CachedEvent,
  CachedObjects,
  CachedPod,
  ClusterView,
} from './types';

/** The resources whose objects carry a kubernetes-id, their own or their owners'. */
export const INDEXED_RESOURCES = [
  'pods',
  'replicasets',
  'deployments',
  'statefulsets',
  'daemonsets',
  'jobs',
  'poddisruptionbudgets',
  'nodes',
] as const;
export type IndexedResource = (typeof INDEXED_RESOURCES)[number];

/** The kinds an object's kubernetes-id is inherited from (as kubernetesIdResolver walks). */
const OWNER_RESOURCES: ReadonlySet<string> = new Set([
  'replicasets',
  'deployments',
  'statefulsets',
  'jobs',
  'daemonsets',
]);
/** Owner levels followed at most: pod → ReplicaSet → Deployment, with room to spare. */
const MAX_DEPTH = 4;

/** The objects of one kubernetes-id, by resource. */
export type KubernetesIdObjects = {
  [R in IndexedResource]: CachedObjects[R][];
};

/** Where the index reads the cached objects from: the informers' stores. */
export interface IndexSource {
  get<R extends WatchedResource>(
    resource: R,
    uid: string,
  ): CachedObjects[R] | undefined;
  values<R extends WatchedResource>(resource: R): Iterable<CachedObjects[R]>;
}

type Owned = { owners?: { uid: string }[] };

const eventKey = (kind: string, namespace: string | undefined, name: string) =>
  `${kind}/${namespace ?? ''}/${name}`;

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V) {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V) {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

const idLabel = (o: object) =>
  (o as { labels?: Record<string, string> }).labels?.[KUBERNETES_ID_LABEL];

function sameOwners(a?: Owned, b?: Owned) {
  const x = a?.owners ?? [];
  const y = b?.owners ?? [];
  return x.length === y.length && x.every((o, i) => o.uid === y[i].uid);
}

/**
 * Lookups over one cluster's cache that the views would otherwise compute by scanning every
 * object on every request: the kubernetes-id of each object (its own
 * `backstage.io/kubernetes-id` label, else its owners', as `kubernetesIdResolver` resolves
 * it), the objects of one id, the pods of one owner or one node, the NotReady nodes and the
 * warning events about one object.
 *
 * Kept current as watch events arrive (`update`, fed by the informers): a changed pod is
 * re-resolved alone; a changed owner (a ReplicaSet, Deployment, ...) re-resolves the objects
 * below it. After a relist or a trim (`reset`) the index is rebuilt once, on the next read.
 * It holds UIDs only; the objects are read from the informers' stores, so a read always sees
 * the current object.
 */
export class ClusterIndex {
  private dirty = true;
  private eventsDirty = true;
  private readonly resourceOf = new Map<string, IndexedResource>();
  private readonly idOf = new Map<string, string>();
  private readonly byId = new Map<string, Set<string>>();
  /** owner UID → UIDs of the objects that name it in their ownerReferences */
  private readonly children = new Map<string, Set<string>>();
  /** node name → UIDs of the pods bound to it */
  private readonly podsByNode = new Map<string, Set<string>>();
  private readonly notReady = new Set<string>();
  /** kind/namespace/name → UIDs of the warning events about that object */
  private readonly eventsByObject = new Map<string, Set<string>>();

  constructor(private readonly source: IndexSource) {}

  /**
   * An index over a view that keeps none (a hand-built view in tests, another cache): built
   * from its lists now, current only until the view changes.
   */
  static of(view: ClusterView): ClusterIndex {
    const own = view.index?.();
    if (own) return own;
    const stores = new Map<string, Map<string, { uid: string }>>();
    const store = (resource: WatchedResource) => {
      let map = stores.get(resource);
      if (!map) {
        map = new Map(view.list(resource).map(o => [o.uid, o]));
        stores.set(resource, map);
      }
      return map;
    };
    return new ClusterIndex({
      get: (resource, uid) => store(resource).get(uid) as any,
      values: resource => store(resource).values() as any,
    });
  }

  /** The store of `resource` was replaced: rebuild on the next read. */
  reset(resource?: WatchedResource) {
    if (resource === 'events') this.eventsDirty = true;
    else if (
      !resource ||
      (INDEXED_RESOURCES as readonly string[]).includes(resource)
    )
      this.dirty = true;
  }

  /** One object was added (`previous` undefined), changed, or deleted (`current` undefined). */
  update<R extends WatchedResource>(
    resource: R,
    previous: CachedObjects[R] | undefined,
    current: CachedObjects[R] | undefined,
  ) {
    if (resource === 'events') {
      if (!this.eventsDirty) {
        this.updateEvent(
          previous as CachedEvent | undefined,
          current as CachedEvent | undefined,
        );
      }
      return;
    }
    if (this.dirty) return;
    if (!(INDEXED_RESOURCES as readonly string[]).includes(resource)) return;
    const indexed = resource as IndexedResource;
    const uid = (current ?? previous)!.uid;
    const before = previous as Owned | undefined;
    const after = current as Owned | undefined;
    // Sets keep insertion order: touch them only when something moved, so that the order
    // stays the informers' (the order the views list pods in).
    const ownersMoved = !sameOwners(before, after);
    if (ownersMoved) {
      for (const o of before?.owners ?? [])
        removeFrom(this.children, o.uid, uid);
      for (const o of after?.owners ?? []) addTo(this.children, o.uid, uid);
    }
    if (current) this.resourceOf.set(uid, indexed);
    else this.resourceOf.delete(uid);
    if (indexed === 'pods') {
      const p = previous as CachedPod | undefined;
      const c = current as CachedPod | undefined;
      if (p?.nodeName !== c?.nodeName) {
        if (p?.nodeName) removeFrom(this.podsByNode, p.nodeName, uid);
        if (c?.nodeName) addTo(this.podsByNode, c.nodeName, uid);
      }
    } else if (indexed === 'nodes') {
      const p = previous as CachedObjects['nodes'] | undefined;
      const c = current as CachedObjects['nodes'] | undefined;
      if (p) this.notReady.delete(p.name);
      if (c && !c.ready) this.notReady.add(c.name);
    }
    this.assign(uid);
    // What an owner's change can change below it: the id its objects inherit.
    if (
      OWNER_RESOURCES.has(indexed) &&
      (!previous ||
        !current ||
        idLabel(previous) !== idLabel(current) ||
        ownersMoved)
    ) {
      this.reassignBelow(uid);
    }
  }

  /** One cached object by UID. */
  get<R extends WatchedResource>(
    resource: R,
    uid: string,
  ): CachedObjects[R] | undefined {
    return this.source.get(resource, uid);
  }

  /** The kubernetes-id of the object with this UID, if it has one. */
  kubernetesIdOf(uid: string): string | undefined {
    this.build();
    return this.idOf.get(uid);
  }

  /** The objects whose kubernetes-id is `id`, by resource. */
  withId(id: string): KubernetesIdObjects {
    this.build();
    const result = Object.fromEntries(
      INDEXED_RESOURCES.map(r => [r, []]),
    ) as unknown as KubernetesIdObjects;
    for (const uid of this.byId.get(id) ?? []) {
      const resource = this.resourceOf.get(uid)!;
      const object = this.source.get(resource, uid);
      if (object) (result[resource] as unknown[]).push(object);
    }
    return result;
  }

  /** The pods that name the object of `uid` as an owner. */
  podsOwnedBy(uid: string): CachedPod[] {
    this.build();
    return this.objectsOf(this.children.get(uid), 'pods');
  }

  /** The pods bound to the node of that name. */
  podsOnNode(name: string): CachedPod[] {
    this.build();
    return this.objectsOf(this.podsByNode.get(name), 'pods');
  }

  /** The names of the nodes that are not Ready. */
  notReadyNodes(): ReadonlySet<string> {
    this.build();
    return this.notReady;
  }

  /** The cached warning events about one object. */
  eventsAbout(
    kind: string,
    namespace: string | undefined,
    name: string,
  ): CachedEvent[] {
    this.buildEvents();
    const uids = this.eventsByObject.get(eventKey(kind, namespace, name));
    const events: CachedEvent[] = [];
    for (const uid of uids ?? []) {
      const event = this.source.get('events', uid);
      if (event) events.push(event);
    }
    return events;
  }

  private objectsOf(uids: Set<string> | undefined, resource: 'pods') {
    const objects: CachedPod[] = [];
    for (const uid of uids ?? []) {
      if (this.resourceOf.get(uid) !== resource) continue;
      const object = this.source.get(resource, uid);
      if (object) objects.push(object);
    }
    return objects;
  }

  private build() {
    if (!this.dirty) return;
    this.dirty = false;
    this.resourceOf.clear();
    this.idOf.clear();
    this.byId.clear();
    this.children.clear();
    this.podsByNode.clear();
    this.notReady.clear();
    for (const resource of INDEXED_RESOURCES) {
      for (const o of this.source.values(resource)) {
        this.resourceOf.set(o.uid, resource);
        for (const owner of (o as Owned).owners ?? [])
          addTo(this.children, owner.uid, o.uid);
        if (resource === 'pods') {
          const pod = o as CachedPod;
          if (pod.nodeName) addTo(this.podsByNode, pod.nodeName, pod.uid);
        } else if (resource === 'nodes') {
          const node = o as CachedObjects['nodes'];
          if (!node.ready) this.notReady.add(node.name);
        }
      }
    }
    for (const uid of this.resourceOf.keys()) this.assign(uid);
  }

  private buildEvents() {
    if (!this.eventsDirty) return;
    this.eventsDirty = false;
    this.eventsByObject.clear();
    for (const event of this.source.values('events')) {
      this.updateEvent(undefined, event);
    }
  }

  private updateEvent(previous?: CachedEvent, current?: CachedEvent) {
    if (previous) {
      const { kind, namespace, name } = previous.object;
      removeFrom(
        this.eventsByObject,
        eventKey(kind, namespace, name),
        previous.uid,
      );
    }
    if (current) {
      const { kind, namespace, name } = current.object;
      addTo(this.eventsByObject, eventKey(kind, namespace, name), current.uid);
    }
  }

  /** The id of one object: its label, else that of its first cached owner, and so on up. */
  private resolve(uid: string): string | undefined {
    type Labelled = Owned & { labels: Record<string, string> };
    let resource = this.resourceOf.get(uid);
    let current: Labelled | undefined = resource
      ? this.source.get(resource, uid)
      : undefined;
    for (let depth = 0; current && depth < MAX_DEPTH; depth++) {
      const id = current.labels[KUBERNETES_ID_LABEL];
      if (id) return id;
      let next: Labelled | undefined = undefined;
      for (const owner of current.owners ?? []) {
        resource = this.resourceOf.get(owner.uid);
        if (!resource || !OWNER_RESOURCES.has(resource)) continue;
        next = this.source.get(resource, owner.uid);
        if (next) break;
      }
      current = next;
    }
    return undefined;
  }

  private assign(uid: string) {
    const before = this.idOf.get(uid);
    const after = this.resourceOf.has(uid) ? this.resolve(uid) : undefined;
    if (before === after) return;
    if (before !== undefined) removeFrom(this.byId, before, uid);
    if (after === undefined) this.idOf.delete(uid);
    else {
      this.idOf.set(uid, after);
      addTo(this.byId, after, uid);
    }
  }

  private reassignBelow(uid: string) {
    let level = [uid];
    for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
      const next: string[] = [];
      for (const owner of level) {
        for (const child of this.children.get(owner) ?? []) {
          this.assign(child);
          next.push(child);
        }
      }
      level = next;
    }
  }
}
