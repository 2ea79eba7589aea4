import { Config } from '@backstage/config';
import { readNodeGroupLabels } from '@internal/plugin-cluster-health-node';
import {
  AlertmanagerConfig,
  readAlertmanagers,
} from './service/alerts/AlertmanagerReader';

/** What the cluster health views read from config, once at startup. */
export interface ClusterHealthConfig {
  /** `clusterHealth.nodeGroupLabels`: the node labels that name a node's group, tried in order. */
  nodeGroupLabels: string[];
  /** `clusterHealth.alertmanagers`: each cluster's Alertmanager. */
  alertmanagers: AlertmanagerConfig[];
  /**
   * `clusterHealth.logs.urlTemplate`: a workload's logs in the logs UI, with {cluster},
   * {namespace}, {kind} and {name} filled in (URL-encoded).
   */
  logsUrlTemplate?: string;
}

/**
 * Reads the backend's own keys (see config.d.ts for them and their defaults). The cluster
 * cache reads the rest of `clusterHealth.*` and `kubernetes.clusterLocatorMethods` itself
 * (`@internal/plugin-cluster-health-node`), as it is shared with GPU inference.
 */
export function readClusterHealthConfig(config: Config): ClusterHealthConfig {
  return {
    nodeGroupLabels: readNodeGroupLabels(config),
    alertmanagers: readAlertmanagers(config),
    logsUrlTemplate: config.getOptionalString('clusterHealth.logs.urlTemplate'),
  };
}

/** A workload's logs link from `clusterHealth.logs.urlTemplate`. */
export function logsUrl(
  template: string,
  workload: { cluster: string; namespace: string; kind: string; name: string },
): string {
  return template.replace(/\{(cluster|namespace|kind|name)\}/g, (_m, key) =>
    encodeURIComponent(workload[key as keyof typeof workload]),
  );
}
