import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  UnsupportedCluster,
  WATCHED_RESOURCES,
  WatchedResource,
} from '@internal/plugin-cluster-health-common';
import { credentialsHint, kubeConfigFor } from './auth';
import { ControlPlaneProbe } from './ControlPlaneProbe';
import { readClusters } from './clusters';
import { ClusterIndex } from './ClusterIndex';
import { Informer } from './Informer';
import {
  CachedEvent,
  CachedObjects,
  ClusterCache,
  ClusterConfig,
  ClusterView,
} from './types';

export const DEFAULT_NODE_GROUP_LABELS = [
  'eks.amazonaws.com/nodegroup',
  'karpenter.sh/nodepool',
  'cloud.google.com/gke-nodepool',
  'kubernetes.azure.com/agentpool',
];

interface CacheOptions {
  watchTimeoutSeconds: number;
  maxEvents: number;
  /** How often the control plane is probed (clusterHealth.controlPlane.intervalSeconds). */
  controlPlaneIntervalSeconds: number;
}

class CachedCluster implements ClusterView {
  readonly name: string;
  readonly title?: string;
  readonly url: string;
  readonly configKey?: string;
  private readonly informers: { [R in WatchedResource]: Informer<R> };
  private readonly probe: ControlPlaneProbe;
  private readonly lookups: ClusterIndex;

  constructor(
    cluster: ClusterConfig,
    logger: LoggerService,
    options: CacheOptions,
  ) {
    this.name = cluster.name;
    this.title = cluster.title;
    this.url = cluster.url;
    this.configKey = cluster.configKey;
    const kubeConfig = kubeConfigFor(cluster);
    const hint = credentialsHint(cluster);
    this.lookups = new ClusterIndex({
      get: (resource, uid) => this.informers[resource].get(uid) as any,
      values: resource => this.informers[resource].iterate() as any,
    });
    const informer = <R extends WatchedResource>(resource: R) =>
      new Informer({
        clusterName: cluster.name,
        kubeConfig,
        resource,
        logger,
        watchTimeoutSeconds: options.watchTimeoutSeconds,
        credentialsHint: hint,
        onChange: (previous, current) =>
          this.lookups.update(resource, previous, current),
        onReset: () => this.lookups.reset(resource),
        ...(resource === 'events'
          ? {
              maxItems: options.maxEvents,
              order: (e: CachedObjects[R]) => (e as CachedEvent).lastSeen ?? '',
            }
          : {}),
      });
    this.informers = Object.fromEntries(
      WATCHED_RESOURCES.map(resource => [resource, informer(resource)]),
    ) as any;
    this.probe = new ControlPlaneProbe({
      clusterName: cluster.name,
      kubeConfig,
      logger,
      intervalSeconds: options.controlPlaneIntervalSeconds,
      credentialsHint: hint,
    });
  }

  start() {
    return Promise.all([
      ...WATCHED_RESOURCES.map(r => this.informers[r].start()),
      this.probe.start(),
    ]);
  }

  stop() {
    for (const r of WATCHED_RESOURCES) this.informers[r].stop();
    this.probe.stop();
  }

  controlPlane() {
    return this.probe.view();
  }

  freshness() {
    return WATCHED_RESOURCES.map(r => this.informers[r].freshness());
  }

  list<R extends WatchedResource>(resource: R): CachedObjects[R][] {
    return (this.informers[resource] as Informer<R>).values();
  }

  index() {
    return this.lookups;
  }
}

/** The cache of every configured cluster; see ClusterCache. */
export class DefaultClusterCache implements ClusterCache {
  private readonly byName: Map<string, CachedCluster>;
  private readonly notRead: UnsupportedCluster[];
  private started?: Promise<void>;

  static fromConfig(config: Config, logger: LoggerService) {
    const { clusters, unsupported } = readClusters(config);
    for (const entry of unsupported) {
      logger.warn('cluster cache: not reading a configured cluster', {
        cluster: entry.name,
        locator: entry.locator,
        authProvider: entry.authProvider,
        configKey: entry.configKey,
        reason: entry.reason,
      });
    }
    for (const cluster of clusters) {
      logger.info('cluster cache: watching cluster', {
        cluster: cluster.name,
        url: cluster.url,
        authProvider: cluster.auth.provider,
        credentials:
          'tokenFile' in cluster.auth ? cluster.auth.tokenFile : undefined,
      });
    }
    if (clusters.length === 0) {
      logger.info(
        'no clusters in kubernetes.clusterLocatorMethods: the cluster cache is empty',
      );
    }
    return new DefaultClusterCache(
      clusters,
      logger,
      {
        watchTimeoutSeconds:
          config.getOptionalNumber('clusterHealth.watchTimeoutSeconds') ?? 300,
        maxEvents:
          config.getOptionalNumber('clusterHealth.maxEventsPerCluster') ?? 2000,
        controlPlaneIntervalSeconds:
          config.getOptionalNumber(
            'clusterHealth.controlPlane.intervalSeconds',
          ) ?? 10,
      },
      unsupported,
    );
  }

  constructor(
    clusters: ClusterConfig[],
    logger: LoggerService,
    options: CacheOptions,
    unsupported: UnsupportedCluster[] = [],
  ) {
    this.notRead = unsupported;
    this.byName = new Map(
      clusters.map(c => [
        c.name,
        new CachedCluster(c, logger.child({ cluster: c.name }), options),
      ]),
    );
  }

  /** Starts every informer; resolves when each has listed once (or failed to). */
  start(): Promise<void> {
    this.started ??= Promise.all(
      [...this.byName.values()].map(c => c.start()),
    ).then(() => undefined);
    return this.started;
  }

  stop() {
    for (const cluster of this.byName.values()) cluster.stop();
  }

  ready() {
    return this.start();
  }

  clusters(): ClusterView[] {
    return [...this.byName.values()];
  }

  cluster(name: string): ClusterView | undefined {
    return this.byName.get(name);
  }

  unsupported(): UnsupportedCluster[] {
    return [...this.notRead];
  }
}
