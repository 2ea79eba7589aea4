/**
 * The cluster cache: watch-fed, per cluster and resource type, as a root service.
 *
 * @packageDocumentation
 */
export { clusterCacheServiceRef } from './service';
export {
  DefaultClusterCache,
  DEFAULT_NODE_GROUP_LABELS,
  kubeConfigFor,
} from './DefaultClusterCache';
export { readClusters } from './clusters';
export { readNodeGroupLabels } from './nodeGroups';
export {
  KUBERNETES_ID_LABEL,
  kubernetesIdResolver,
  linkFor,
} from './owners';
export type { EntityIndex, EntityLink } from './owners';
export { getJson, KubeRequestError } from './Informer';
export { addResources, NO_RESOURCES, toResources } from './projections';
export * from './types';
