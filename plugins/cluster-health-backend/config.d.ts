/*
 * The cluster health backend's settings. It reads most of them through the cluster cache of
 * @internal/plugin-cluster-health-node, which the GPU inference backend shares, so they are
 * declared once, with their defaults, in plugins/cluster-health-node/config.d.ts:
 * clusterHealth.nodeGroupLabels, maxEventsPerCluster, watchTimeoutSeconds and
 * serviceAccountTokenFile. The clusters are Backstage's own kubernetes.clusterLocatorMethods,
 * declared by @backstage/plugin-kubernetes-backend. Its own keys are below.
 */
import type { Config as ClusterCacheConfig } from '@internal/plugin-cluster-health-node/config.d.ts';

export interface Config extends ClusterCacheConfig {
  clusterHealth?: ClusterCacheConfig['clusterHealth'] & {
    /** Each cluster's Alertmanager; a cluster without one shows "no Alertmanager configured". */
    alertmanagers?: Array<{
      /** A cluster name of kubernetes.clusterLocatorMethods. */
      cluster: string;
      /** Where the backend reads Alertmanager's API v2, e.g. http://alertmanager.monitoring:9093. */
      url: string;
      /** Alertmanager's UI as users reach it, for links; default `url`. */
      externalUrl?: string;
    }>;
    /** Links from each workload to its logs (Loki is not used here: any logs UI). */
    logs?: {
      /**
       * The link, with {cluster}, {namespace}, {kind} and {name} filled in, e.g.
       * https://logs.example.com/search?q=kubernetes.namespace:{namespace}+AND+kubernetes.labels.app:{name}
       */
      urlTemplate?: string;
    };
  };
}
