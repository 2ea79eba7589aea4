import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { readNodeGroupLabels } from '@internal/plugin-cluster-health-node';
import { isDuration } from './service/promql';

/** The plugin's settings, read once at startup; see config.d.ts. */
export interface GpuInferenceConfig {
  /** gpuInference.prometheus.baseUrl; unset: the panels that need Prometheus say so. */
  prometheusUrl?: string;
  idleThresholdPercent: number;
  idleWindow: string;
  /** clusterHealth.nodeGroupLabels: the same node groups as the cluster health page. */
  nodeGroupLabels: string[];
}

/** Reads and checks gpuInference.*; a bad value fails startup with the key and the accepted form. */
export function readGpuInferenceConfig(config: Config): GpuInferenceConfig {
  const idleWindow =
    config.getOptionalString('gpuInference.idleWindow') ?? '30m';
  if (!isDuration(idleWindow) || parseInt(idleWindow, 10) === 0) {
    throw new InputError(
      `gpuInference.idleWindow is "${idleWindow}": expected a Prometheus duration, a whole number above 0 and one of the units ms, s, m, h, d, w, y (e.g. 30m or 2h)`,
    );
  }
  const idleThresholdPercent =
    config.getOptionalNumber('gpuInference.idleThresholdPercent') ?? 10;
  if (!(idleThresholdPercent >= 0 && idleThresholdPercent <= 100)) {
    throw new InputError(
      `gpuInference.idleThresholdPercent is ${idleThresholdPercent}: expected a percentage from 0 to 100`,
    );
  }
  const prometheusUrl = config.getOptionalString(
    'gpuInference.prometheus.baseUrl',
  );
  if (prometheusUrl !== undefined && !/^https?:\/\/[^/]+/.test(prometheusUrl)) {
    throw new InputError(
      'gpuInference.prometheus.baseUrl is not an http(s) URL: expected the Prometheus HTTP API base, e.g. http://prometheus.monitoring:9090',
    );
  }
  return {
    prometheusUrl,
    idleThresholdPercent,
    idleWindow,
    nodeGroupLabels: readNodeGroupLabels(config),
  };
}
