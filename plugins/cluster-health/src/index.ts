/**
 * Cluster health for Backstage's new frontend system: a page and a Workload health card.
 *
 * @packageDocumentation
 */
import { clusterHealthPlugin } from './plugin';

export default clusterHealthPlugin;
export { clusterHealthApiRef, ClusterHealthClient } from './api';
export type { ClusterHealthApi } from './api';
