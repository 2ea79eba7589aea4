import { existsSync } from 'node:fs';
import { Config } from '@backstage/config';
import {
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE,
  ANNOTATION_KUBERNETES_AWS_CLUSTER_ID,
  ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID,
} from '@backstage/plugin-kubernetes-common';
import { UnsupportedCluster } from '@internal/plugin-cluster-health-common';
import { IN_CLUSTER_TOKEN_PATH } from './auth';
import { ClusterAuth, ClusterConfig } from './types';

const SUPPORTED_PROVIDERS = ['serviceAccount', 'aws'];

/**
 * The clusters of Backstage's own `kubernetes.clusterLocatorMethods` (type `config`), so the
 * Kubernetes tab and the platform plugins read one list, with Backstage's keys:
 * `authProvider` (or `authMetadata["kubernetes.io/auth-provider"]`), `serviceAccountToken`,
 * `assumeRole` / `externalId` and the `authMetadata` block, which wins over them.
 * Everything else is returned in `unsupported`, one entry per cluster or locator method,
 * with the reason and the config key to change, rather than silently ignored.
 *
 * A `serviceAccount` cluster without a token uses the pod's own token from
 * `clusterHealth.serviceAccountTokenFile` (default the in-cluster path
 * /var/run/secrets/kubernetes.io/serviceaccount/token); outside a pod, where that file does
 * not exist, the cluster is reported as unsupported.
 */
export function readClusters(config: Config): {
  clusters: ClusterConfig[];
  unsupported: UnsupportedCluster[];
} {
  const tokenFile =
    config.getOptionalString('clusterHealth.serviceAccountTokenFile') ??
    IN_CLUSTER_TOKEN_PATH;
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  const clusters: ClusterConfig[] = [];
  const unsupported: UnsupportedCluster[] = [];
  const names = new Set<string>();

  methods.forEach((method, m) => {
    const methodKey = `kubernetes.clusterLocatorMethods[${m}]`;
    const type = method.getOptionalString('type');
    if (type !== 'config') {
      unsupported.push({
        locator: type ?? '(none)',
        configKey: `${methodKey}.type`,
        reason: type
          ? `cluster locator type '${type}' is not supported here (${methodKey}.type): ` +
            `the portal reads only type 'config'; list the clusters under a locator of type ` +
            `'config' with name, url and authProvider`
          : `${methodKey} has no type: set ${methodKey}.type to 'config'`,
      });
      return;
    }
    (method.getOptionalConfigArray('clusters') ?? []).forEach((cluster, c) => {
      const key = `${methodKey}.clusters[${c}]`;
      const result = readCluster(cluster, key, tokenFile);
      if ('reason' in result) {
        unsupported.push(result);
      } else if (names.has(result.name)) {
        unsupported.push({
          name: result.name,
          locator: 'config',
          authProvider: result.auth.provider,
          configKey: `${key}.name`,
          reason: `a second cluster named '${result.name}' (${key}.name): cluster names must be unique`,
        });
      } else {
        names.add(result.name);
        clusters.push(result);
      }
    });
  });
  return { clusters, unsupported };
}

function readCluster(
  cluster: Config,
  key: string,
  tokenFile: string,
): ClusterConfig | UnsupportedCluster {
  const name = cluster.getOptionalString('name');
  const metadata = readAuthMetadata(cluster);
  const authProvider =
    metadata[ANNOTATION_KUBERNETES_AUTH_PROVIDER] ??
    cluster.getOptionalString('authProvider');
  const problem = (configKey: string, reason: string): UnsupportedCluster => ({
    ...(name ? { name } : {}),
    locator: 'config',
    ...(authProvider ? { authProvider } : {}),
    configKey,
    reason,
  });
  const which = name ? `cluster '${name}'` : `the cluster at ${key}`;

  if (!name)
    return problem(`${key}.name`, `${key} has no name: set ${key}.name`);
  const url = cluster.getOptionalString('url');
  if (!url) return problem(`${key}.url`, `${which} has no url: set ${key}.url`);
  if (!authProvider) {
    return problem(
      `${key}.authProvider`,
      `${which} has no authProvider (Backstage requires one): set ${key}.authProvider ` +
        `to ${SUPPORTED_PROVIDERS.join(' or ')}`,
    );
  }
  if (!SUPPORTED_PROVIDERS.includes(authProvider)) {
    return problem(
      `${key}.authProvider`,
      `${which}: authProvider '${authProvider}' is not supported here ` +
        `(${key}.authProvider): use ${SUPPORTED_PROVIDERS.join(' or ')}`,
    );
  }

  let auth: ClusterAuth;
  if (authProvider === 'aws') {
    auth = {
      provider: 'aws',
      clusterId: metadata[ANNOTATION_KUBERNETES_AWS_CLUSTER_ID] ?? name,
      assumeRole: metadata[ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE],
      externalId: metadata[ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID],
    };
  } else if (metadata.serviceAccountToken) {
    auth = { provider: 'serviceAccount', token: metadata.serviceAccountToken };
  } else if (existsSync(tokenFile)) {
    auth = { provider: 'serviceAccount', tokenFile };
  } else {
    return problem(
      `${key}.serviceAccountToken`,
      `${which} has authProvider serviceAccount and no serviceAccountToken, and the backend ` +
        `has no in-cluster token (${tokenFile} does not exist): set ${key}.serviceAccountToken`,
    );
  }

  return {
    name,
    title: cluster.getOptionalString('title'),
    url: url.replace(/\/+$/, ''),
    auth,
    configKey: key,
    caData: cluster.getOptionalString('caData'),
    caFile: cluster.getOptionalString('caFile'),
    skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
  };
}

/** As Backstage's config locator builds it: the top-level keys, then `authMetadata` over them. */
function readAuthMetadata(cluster: Config): Record<string, string | undefined> {
  // Read whole: its keys contain dots (kubernetes.io/...), which Config.get would split.
  const block = cluster.getOptional('authMetadata');
  const fromBlock: Record<string, string> = {};
  if (block && typeof block === 'object' && !Array.isArray(block)) {
    for (const [k, value] of Object.entries(block)) {
      if (typeof value === 'string') fromBlock[k] = value;
    }
  }
  return {
    serviceAccountToken: cluster.getOptionalString('serviceAccountToken'),
    [ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE]:
      cluster.getOptionalString('assumeRole'),
    [ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID]:
      cluster.getOptionalString('externalId'),
    ...fromBlock,
  };
}
