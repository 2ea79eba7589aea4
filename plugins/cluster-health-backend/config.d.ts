/*
 * The cluster health backend's settings. It reads them through the cluster cache of
 * @internal/plugin-cluster-health-node, which the GPU inference backend shares, so they are
 * declared once, with their defaults, in plugins/cluster-health-node/config.d.ts:
 * clusterHealth.nodeGroupLabels, maxEventsPerCluster, watchTimeoutSeconds and
 * serviceAccountTokenFile. The clusters are Backstage's own kubernetes.clusterLocatorMethods,
 * declared by @backstage/plugin-kubernetes-backend.
 */
import type { Config as ClusterCacheConfig } from '@internal/plugin-cluster-health-node/config.d.ts';

export interface Config extends ClusterCacheConfig {}
