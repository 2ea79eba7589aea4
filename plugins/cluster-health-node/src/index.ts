/**
 * The cluster cache (watch-fed, per cluster and resource type, as a root service) and the
 * catalog's kubernetes-id index, shared by the backends that show Kubernetes objects.
 *
 * @packageDocumentation
 */
export { clusterCacheServiceRef } from './service';
export {
  DefaultClusterCache,
  DEFAULT_NODE_GROUP_LABELS,
} from './DefaultClusterCache';
export {
  authorizationOf,
  credentialsHint,
  eksToken,
  IN_CLUSTER_TOKEN_PATH,
  kubeConfigFor,
} from './auth';
export { readClusters } from './clusters';
export { nodeGroupOf, readNodeGroupLabels, UNGROUPED } from './nodeGroups';
export { CatalogEntityIndex } from './CatalogEntityIndex';
export type { ReadableEntity } from './CatalogEntityIndex';
export { ClusterIndex, INDEXED_RESOURCES } from './ClusterIndex';
export type {
  IndexedResource,
  IndexSource,
  KubernetesIdObjects,
} from './ClusterIndex';
export { kubernetesIdResolver, linkFor } from './owners';
export type { EntityIndex, EntityLink } from './owners';
export { KubeCredentialsError, KubeRequestError, withoutUrls } from './errors';
export { getJson, getText } from './Informer';
export {
  ControlPlaneProbe,
  LEADER_COMPONENTS,
  judgeLease,
  parseHealthChecks,
} from './ControlPlaneProbe';
export { addResources, NO_RESOURCES, toResources } from './projections';
export * from './types';
