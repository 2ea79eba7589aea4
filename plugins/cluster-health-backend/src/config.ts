import { Config } from '@backstage/config';
import { readNodeGroupLabels } from '@internal/plugin-cluster-health-node';

/** What the cluster health views read from config, once at startup. */
export interface ClusterHealthConfig {
  /** `clusterHealth.nodeGroupLabels`: the node labels that name a node's group, tried in order. */
  nodeGroupLabels: string[];
}

/**
 * Reads the backend's own keys (see config.d.ts for them and their defaults). The cluster
 * cache reads the rest of `clusterHealth.*` and `kubernetes.clusterLocatorMethods` itself
 * (`@internal/plugin-cluster-health-node`), as it is shared with GPU inference.
 */
export function readClusterHealthConfig(config: Config): ClusterHealthConfig {
  return { nodeGroupLabels: readNodeGroupLabels(config) };
}
