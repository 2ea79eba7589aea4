import { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ClusterAlerts,
  ClusterSummary,
  ControlPlaneView,
  DaemonSetCoverage,
  EntityAlerts,
  EntityWorkloads,
  GithubReleaseView,
  KUBERNETES_CLUSTER_ANNOTATION,
  NodeGroupSummary,
  Problem,
  ProblemFilter,
  UnsupportedCluster,
  WarningEvent,
} from '@internal/plugin-cluster-health-common';
import {
  CatalogEntityIndex,
  ClusterCache,
  ClusterView,
} from '@internal/plugin-cluster-health-node';
import { ClusterHealthConfig, logsUrl } from '../config';
import { AlertmanagerReader } from './alerts/AlertmanagerReader';
import { entityClusterAlerts } from './alerts/entityAlerts';
import { parseAlertSelector } from './alerts/selector';
import { daemonSetCoverage } from './analysis/coverage';
import { recentWarningEvents } from './analysis/events';
import { nodeGroups } from './analysis/nodeGroups';
import { clusterProblems, entityProblems } from './analysis/problems';
import { clusterStatus, clusterSummary } from './analysis/summary';
import { entityWorkloads, githubReleases } from './analysis/workloads';
import { AskerOptions, ClusterHealthService } from './types';

/**
 * A configured cluster (or locator method) the cache does not read, as an overview entry:
 * down, with the reason (naming the config key) as its message.
 */
function unsupportedSummary(entry: UnsupportedCluster): ClusterSummary {
  return {
    name: entry.name ?? entry.configKey.replace(/\.type$/, ''),
    title: entry.name ? undefined : `${entry.locator} cluster locator`,
    status: 'down',
    message: entry.reason,
    unsupported: entry,
    resources: [],
    nodes: { total: 0, notReady: 0 },
    pods: { total: 0, running: 0, pending: 0, failing: 0 },
    problems: { error: 0, warning: 0 },
  };
}

/**
 * The views of `ClusterHealthService`, read from the shared watch-fed cluster cache (no
 * request reaches an API server, and no view carries a cluster's URL); problems, events and
 * workloads link to the entities of `backstage.io/kubernetes-id` that the asker may read.
 */
export class DefaultClusterHealthService implements ClusterHealthService {
  static create(options: {
    config: ClusterHealthConfig;
    cache: ClusterCache;
    catalog: CatalogService;
    logger: LoggerService;
  }): DefaultClusterHealthService {
    return new DefaultClusterHealthService(
      options.config,
      options.cache,
      CatalogEntityIndex.create({
        catalog: options.catalog,
        logger: options.logger,
      }),
      new AlertmanagerReader(options.config.alertmanagers, options.logger),
    );
  }

  private constructor(
    private readonly config: ClusterHealthConfig,
    private readonly cache: ClusterCache,
    /** Entity and owner links as the catalog answers for the asker. */
    private readonly entities: CatalogEntityIndex,
    private readonly alertmanagers: AlertmanagerReader,
  ) {}

  async listClusters({ credentials }: AskerOptions): Promise<ClusterSummary[]> {
    const index = await this.entities.forAsker(credentials);
    return [
      ...this.cache
        .clusters()
        .map(c => clusterSummary(c, clusterProblems(c, index))),
      ...this.cache.unsupported().map(unsupportedSummary),
    ];
  }

  async getNodeGroups(cluster: string): Promise<NodeGroupSummary[]> {
    return nodeGroups(this.clusterOf(cluster), this.config.nodeGroupLabels);
  }

  async getDaemonSets(cluster: string): Promise<DaemonSetCoverage[]> {
    return daemonSetCoverage(
      this.clusterOf(cluster),
      this.config.nodeGroupLabels,
    );
  }

  async getControlPlane(cluster: string): Promise<ControlPlaneView> {
    return this.clusterOf(cluster).controlPlane();
  }

  async getEvents(
    cluster: string,
    query: { namespace?: string; limit?: number },
    { credentials }: AskerOptions,
  ): Promise<WarningEvent[]> {
    const view = this.clusterOf(cluster);
    return recentWarningEvents(
      view,
      await this.entities.forAsker(credentials),
      query,
    );
  }

  async getProblems(
    filter: ProblemFilter,
    { credentials }: AskerOptions,
  ): Promise<Problem[]> {
    const clusters = filter.cluster
      ? [this.clusterOf(filter.cluster)]
      : this.cache.clusters();
    const index = await this.entities.forAsker(credentials);
    return clusters
      .flatMap(c => clusterProblems(c, index))
      .filter(
        p =>
          (!filter.namespace || p.namespace === filter.namespace) &&
          (!filter.owner || p.ownerRef === filter.owner) &&
          (!filter.severity || p.severity === filter.severity),
      );
  }

  async getGithubReleases(): Promise<GithubReleaseView[]> {
    return this.cache.clusters().flatMap(githubReleases);
  }

  async getEntity(
    entityRef: string,
    { credentials }: AskerOptions,
  ): Promise<EntityWorkloads> {
    // As the asker may read it: an entity they may not see is "not found". Answered from the
    // asker's entity index when the entity is in it (no catalog request), else read from the
    // catalog with the asker's own credentials.
    const entity = await this.entities.readable(entityRef, credentials);
    const { kubernetesId, namespace, cluster: pinned, index } = entity;
    const clusters = this.entityClusters(pinned);
    return {
      entityRef: entity.entityRef,
      kubernetesId,
      namespace,
      cluster: pinned,
      clusters: clusters.map(cluster => ({
        cluster: cluster.name,
        ...clusterStatus(cluster),
        workloads: this.withLogs(
          cluster.name,
          entityWorkloads(cluster, kubernetesId, namespace),
        ),
        problems: entityProblems(
          cluster,
          index,
          kubernetesId,
          entity.entityRef,
        ),
      })),
    };
  }

  async getAlerts(): Promise<ClusterAlerts[]> {
    return Promise.all(
      this.cache.clusters().map(c => this.alertmanagers.read(c.name)),
    );
  }

  async getEntityAlerts(
    entityRef: string,
    { credentials }: AskerOptions,
  ): Promise<EntityAlerts> {
    // Read as /entity reads it: an entity the asker may not see is "not found".
    const entity = await this.entities.readable(entityRef, credentials);
    const { kubernetesId, namespace, cluster: pinned, alertSelector } = entity;
    const clusters = this.entityClusters(pinned);
    const selector = alertSelector
      ? parseAlertSelector(alertSelector)
      : undefined;
    return {
      entityRef: entity.entityRef,
      selector: alertSelector,
      clusters: await Promise.all(
        clusters.map(async cluster =>
          entityClusterAlerts(
            await this.alertmanagers.read(cluster.name),
            entityWorkloads(cluster, kubernetesId, namespace),
            selector,
          ),
        ),
      ),
    };
  }

  /**
   * The clusters an entity is shown in: every one, or only the one it is pinned to
   * (backstage.io/kubernetes-cluster); a pin naming a cluster the portal does not read is a
   * `NotFoundError` that says so.
   */
  private entityClusters(pinned?: string): ClusterView[] {
    if (!pinned) return this.cache.clusters();
    return [this.clusterOf(pinned, KUBERNETES_CLUSTER_ANNOTATION)];
  }

  /** Each workload's logs link, when `clusterHealth.logs.urlTemplate` is set. */
  private withLogs<W extends { namespace: string; kind: string; name: string }>(
    cluster: string,
    workloads: W[],
  ): W[] {
    const template = this.config.logsUrlTemplate;
    if (!template) return workloads;
    return workloads.map(w => ({
      ...w,
      logsUrl: logsUrl(template, { cluster, ...w }),
    }));
  }

  /** The cluster of that name; `NotFoundError` naming the config key (and `annotation`). */
  private clusterOf(name: string, annotation?: string): ClusterView {
    const cluster = this.cache.cluster(name);
    if (cluster) return cluster;
    const notRead = this.cache.unsupported().find(u => u.name === name);
    if (notRead) throw new NotFoundError(notRead.reason);
    throw new NotFoundError(
      `No cluster named "${name}" in kubernetes.clusterLocatorMethods${
        annotation ? ` (the entity's ${annotation} annotation names it)` : ''
      }`,
    );
  }
}
