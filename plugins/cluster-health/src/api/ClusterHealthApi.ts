import { createApiRef } from '@backstage/frontend-plugin-api';
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

/** The cluster health backend's routes (see plugins/cluster-health-backend/README.md). */
export interface ClusterHealthApi {
  listClusters(): Promise<ClusterSummary[]>;
  getNodeGroups(cluster: string): Promise<NodeGroupSummary[]>;
  getDaemonSets(cluster: string): Promise<DaemonSetCoverage[]>;
  /** The cluster's control plane as last probed: checks, version, leader Leases. */
  getControlPlane(cluster: string): Promise<ControlPlaneView>;
  getProblems(filter: ProblemFilter): Promise<Problem[]>;
  /** The cluster's recent warning events, newest first, whether or not part of a problem. */
  getEvents(
    cluster: string,
    options?: { namespace?: string; limit?: number },
  ): Promise<WarningEvent[]>;
  getGithubReleases(): Promise<GithubReleaseView[]>;
  getEntityWorkloads(entityRef: string): Promise<EntityWorkloads>;
  /** Every cluster's alerts from its Alertmanager. */
  getAlerts(): Promise<ClusterAlerts[]>;
  /** The entity's alerts per cluster (its workloads' and its alert selector's). */
  getEntityAlerts(entityRef: string): Promise<EntityAlerts>;
}

export const clusterHealthApiRef = createApiRef<ClusterHealthApi>({
  id: 'plugin.cluster-health.api',
});
