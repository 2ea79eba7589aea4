import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ClusterAlerts,
  ClusterSummary,
  ControlPlaneView,
  DaemonSetCoverage,
  EntityAlerts,
  EntityWorkloads,
  GithubReleaseView,
  NodeGroupSummary,
  Problem,
  ProblemFilter,
  WarningEvent,
} from '@internal/plugin-cluster-health-common';

/** Who is asking: entity and owner links are only those the asker may read in the catalog. */
export interface AskerOptions {
  credentials: BackstageCredentials;
}

/**
 * The cluster health views, assembled from the shared cluster cache and linked to catalog
 * entities as the asker may read them. A cluster that is not configured, or that the portal
 * does not read, is a `NotFoundError` naming the reason or the config key.
 */
export interface ClusterHealthService {
  /** Every cluster the cache reads, then those configured that it does not read (`unsupported`). */
  listClusters(options: AskerOptions): Promise<ClusterSummary[]>;
  getNodeGroups(cluster: string): Promise<NodeGroupSummary[]>;
  getDaemonSets(cluster: string): Promise<DaemonSetCoverage[]>;
  /** The cluster's control plane as last probed: health checks, version, leader Leases. */
  getControlPlane(cluster: string): Promise<ControlPlaneView>;
  /** Recent warning events of one cluster, newest first. */
  getEvents(
    cluster: string,
    query: { namespace?: string; limit?: number },
    options: AskerOptions,
  ): Promise<WarningEvent[]>;
  /** Problems of one cluster (`filter.cluster`) or all, filtered. */
  getProblems(filter: ProblemFilter, options: AskerOptions): Promise<Problem[]>;
  getGithubReleases(): Promise<GithubReleaseView[]>;
  /**
   * One entity's workloads and problems per cluster; the entity is read with the asker's
   * credentials (`InputError` for a malformed ref, `NotFoundError` when they may not see it).
   */
  getEntity(entityRef: string, options: AskerOptions): Promise<EntityWorkloads>;
  /** Every cluster's alerts from its Alertmanager (`clusterHealth.alertmanagers`). */
  getAlerts(): Promise<ClusterAlerts[]>;
  /**
   * One entity's alerts per cluster: those of its workloads (namespace and workload or pod
   * labels) and those its ml-platform.io/alert-selector matches; read as getEntity reads it.
   */
  getEntityAlerts(
    entityRef: string,
    options: AskerOptions,
  ): Promise<EntityAlerts>;
}
