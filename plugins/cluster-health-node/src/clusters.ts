import { Config } from '@backstage/config';
import { ClusterConfig } from './types';

/**
 * The clusters of Backstage's own `kubernetes.clusterLocatorMethods` (type `config`), so the
 * Kubernetes tab and the platform plugins read one list. Other locator types (catalog, gke,
 * ...) are reported back as not supported here rather than silently ignored.
 */
export function readClusters(config: Config): {
  clusters: ClusterConfig[];
  unsupported: string[];
} {
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  const clusters: ClusterConfig[] = [];
  const unsupported: string[] = [];
  for (const method of methods) {
    const type = method.getString('type');
    if (type !== 'config') {
      unsupported.push(type);
      continue;
    }
    for (const cluster of method.getOptionalConfigArray('clusters') ?? []) {
      const authProvider =
        cluster.getOptionalString('authProvider') ?? 'serviceAccount';
      if (authProvider !== 'serviceAccount') {
        unsupported.push(`${type}/${authProvider}`);
        continue;
      }
      clusters.push({
        name: cluster.getString('name'),
        title: cluster.getOptionalString('title'),
        url: cluster.getString('url').replace(/\/+$/, ''),
        token: cluster.getOptionalString('serviceAccountToken'),
        caData: cluster.getOptionalString('caData'),
        caFile: cluster.getOptionalString('caFile'),
        skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
      });
    }
  }
  return { clusters, unsupported };
}
