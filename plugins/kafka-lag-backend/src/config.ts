import { Config } from '@backstage/config';
import { KafkaConfig, SASLOptions } from 'kafkajs';

export interface KafkaClusterConfig {
  name: string;
  kafka: KafkaConfig;
}

export interface KafkaLagConfig {
  clusters: KafkaClusterConfig[];
  sampleIntervalSeconds: number;
  sampleTimeoutSeconds: number;
  statusWindow: number;
  snapshotRetentionMs: number;
  historyRetentionMs: number;
}

const HOUR = 3_600_000;

/** Reads kafka.* and kafkaLag.* (see config.d.ts for the keys and defaults). */
export function readKafkaLagConfig(config: Config): KafkaLagConfig {
  const clientId =
    config.getOptionalString('kafka.clientId') ?? 'backstage-kafka-lag';
  const clusters = (config.getOptionalConfigArray('kafka.clusters') ?? []).map(
    cluster => {
      const sasl = cluster.getOptionalConfig('sasl');
      const ssl = cluster.getOptional('ssl') as KafkaConfig['ssl'];
      return {
        name: cluster.getString('name'),
        kafka: {
          clientId,
          brokers: cluster.getStringArray('brokers'),
          ssl,
          sasl: sasl
            ? ({
                mechanism: sasl.getString('mechanism'),
                username: sasl.getString('username'),
                password: sasl.getString('password'),
              } as SASLOptions)
            : undefined,
        },
      };
    },
  );
  return {
    clusters,
    sampleIntervalSeconds:
      config.getOptionalNumber('kafkaLag.sampleIntervalSeconds') ?? 15,
    sampleTimeoutSeconds:
      config.getOptionalNumber('kafkaLag.sampleTimeoutSeconds') ?? 60,
    statusWindow: config.getOptionalNumber('kafkaLag.statusWindow') ?? 10,
    snapshotRetentionMs:
      (config.getOptionalNumber('kafkaLag.snapshotRetentionHours') ?? 1) * HOUR,
    historyRetentionMs:
      (config.getOptionalNumber('kafkaLag.historyRetentionHours') ?? 168) *
      HOUR,
  };
}
