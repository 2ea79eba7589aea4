export { clusterHealthApiRef } from './ClusterHealthApi';
export type { ClusterHealthApi } from './ClusterHealthApi';
export { ClusterHealthClient } from './ClusterHealthClient';
