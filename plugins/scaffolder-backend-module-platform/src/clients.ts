import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  ClusterConfig,
  kubeConfigFor,
  readClusters,
} from '@internal/plugin-cluster-health-node';
import { KubeConfig } from '@kubernetes/client-node';
import { Kafka, KafkaConfig, logLevel } from 'kafkajs';

/**
 * The clusters the actions may touch, from the portal's own config: Kafka from
 * `kafka.clusters`, Kubernetes from `kubernetes.clusterLocatorMethods`. An unknown name is
 * an input error that lists the known ones.
 */
export class PlatformClients {
  constructor(private readonly config: Config) {}

  /** `key`: the input that named the cluster, for the error message. */
  kafka(name: string, key = 'cluster'): Kafka {
    const clusters = this.config.getOptionalConfigArray('kafka.clusters') ?? [];
    const cluster = clusters.find(c => c.getString('name') === name);
    if (!cluster) {
      const known = clusters.map(c => c.getString('name'));
      throw new InputError(
        `${key}: no Kafka cluster "${name}" in kafka.clusters (known: ${
          known.join(', ') || 'none'
        })`,
      );
    }
    const options: KafkaConfig = {
      clientId:
        this.config.getOptionalString('kafka.clientId') ??
        'backstage-scaffolder',
      brokers: cluster.getStringArray('brokers'),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 5000,
      retry: { retries: 2 },
    };
    const ssl = cluster.getOptional('ssl');
    if (ssl !== undefined) options.ssl = ssl as KafkaConfig['ssl'];
    const sasl = cluster.getOptional('sasl');
    if (sasl !== undefined) options.sasl = sasl as KafkaConfig['sasl'];
    return new Kafka(options);
  }

  /** `key`: the input that named the cluster, for the error message. */
  kubernetes(
    name: string,
    key = 'cluster',
  ): { cluster: ClusterConfig; kubeConfig: KubeConfig } {
    const { clusters, unsupported } = readClusters(this.config);
    const cluster = clusters.find(c => c.name === name);
    if (!cluster) {
      const notRead = unsupported.find(u => u.name === name);
      if (notRead) throw new InputError(`${key}: ${notRead.reason}`);
      throw new InputError(
        `${key}: no Kubernetes cluster "${name}" in kubernetes.clusterLocatorMethods ` +
          `(known: ${clusters.map(c => c.name).join(', ') || 'none'})`,
      );
    }
    return { cluster, kubeConfig: kubeConfigFor(cluster) };
  }
}

/** What the API server said, without the client's headers and stack. */
export function kubeMessage(error: any): string {
  const body =
    typeof error?.body === 'string' ? safeJson(error.body) : error?.body;
  if (body?.message) return `${error.code ?? body.code} ${body.message}`;
  return error?.message?.split('\n')[0] ?? String(error);
}

function safeJson(text: string) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
