import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { MODEL_SERVER_SELECTOR_ANNOTATION } from '@internal/plugin-cluster-health-common';
import {
  CatalogEntityIndex,
  ClusterCache,
} from '@internal/plugin-cluster-health-node';
import {
  FleetView,
  ModelServerRange,
  ModelServerView,
} from '@internal/plugin-gpu-inference-common';
import { GpuInferenceConfig } from '../config';
import { fleetView, gpuUse } from './fleet';
import { modelServerFigures, saturation } from './modelServer';
import { PrometheusApi, PrometheusClient, PrometheusError } from './prometheus';
import { parseSelector } from './promql';
import { GpuInferenceService } from './types';

const RANGE_SECONDS: Record<ModelServerRange, number> = {
  '1h': 3600,
  '6h': 21600,
  '24h': 86400,
};

/**
 * The views over the shared cluster cache, one Prometheus client (absent when
 * gpuInference.prometheus.baseUrl is not set) and the catalog's kubernetes-id index, read on
 * behalf of the asker (the same index as cluster health's).
 */
export class DefaultGpuInferenceService implements GpuInferenceService {
  static create(options: {
    config: GpuInferenceConfig;
    cache: ClusterCache;
    catalog: CatalogService;
    logger: LoggerService;
  }): DefaultGpuInferenceService {
    const { config, logger } = options;
    if (config.prometheusUrl) {
      logger.info('Reading GPU use and model servers from Prometheus', {
        baseUrl: config.prometheusUrl,
        idleWindow: config.idleWindow,
        idleThresholdPercent: config.idleThresholdPercent,
      });
    } else {
      logger.info(
        'Prometheus not configured: the GPU use, waste and model-server panels say so',
        { configKey: 'gpuInference.prometheus.baseUrl' },
      );
    }
    return new DefaultGpuInferenceService(
      config,
      options.cache,
      CatalogEntityIndex.create({ catalog: options.catalog, logger }),
      config.prometheusUrl
        ? new PrometheusClient({ baseUrl: config.prometheusUrl, logger })
        : undefined,
    );
  }

  private constructor(
    private readonly config: GpuInferenceConfig,
    private readonly cache: ClusterCache,
    private readonly entities: CatalogEntityIndex,
    private readonly prometheus: PrometheusApi | undefined,
  ) {}

  async getFleet(options: {
    credentials: BackstageCredentials;
  }): Promise<FleetView> {
    return fleetView({
      nodeGroupLabels: this.config.nodeGroupLabels,
      idleThresholdPercent: this.config.idleThresholdPercent,
      idleWindow: this.config.idleWindow,
      clusters: this.cache.clusters(),
      links: await this.entities.forAsker(options.credentials),
      prometheus: this.prometheus,
    });
  }

  async getModelServer(
    request: { entityRef: string; range: ModelServerRange },
    options: { credentials: BackstageCredentials },
  ): Promise<ModelServerView> {
    const { credentials } = options;
    const entity = await this.entities.getEntity(
      request.entityRef,
      credentials,
    );
    const raw = entity.metadata.annotations?.[MODEL_SERVER_SELECTOR_ANNOTATION];
    const view: ModelServerView = {
      entityRef: stringifyEntityRef(entity),
      selector: raw,
      prometheus: { status: 'ok' },
      saturation: 'unknown',
      verdict: '',
      series: [],
      gpus: [],
    };
    if (!raw) {
      view.verdict = `No ${MODEL_SERVER_SELECTOR_ANNOTATION} annotation: add the PromQL label matchers of its vLLM metrics`;
      return view;
    }
    let selector: string;
    try {
      selector = parseSelector(raw);
    } catch (error) {
      throw new InputError(
        `${MODEL_SERVER_SELECTOR_ANNOTATION}: ${(error as Error).message}`,
      );
    }
    const prometheus = this.prometheus;
    if (!prometheus) {
      view.prometheus = {
        status: 'not-configured',
        message: 'Set gpuInference.prometheus.baseUrl',
      };
      return view;
    }
    try {
      const [{ figures, series }, allGpus] = await Promise.all([
        modelServerFigures(prometheus, selector, RANGE_SECONDS[request.range]),
        this.entities
          .forAsker(credentials)
          .then(links =>
            gpuUse(
              prometheus,
              this.cache.clusters(),
              links,
              this.config.idleWindow,
            ),
          ),
      ]);
      view.figures = figures;
      view.series = series;
      view.gpus = allGpus.filter(g => g.entityRef === view.entityRef);
      Object.assign(view, saturation(figures, view.gpus));
    } catch (error) {
      if (!(error instanceof PrometheusError)) throw error;
      view.prometheus = { status: 'unreachable', message: error.message };
    }
    return view;
  }
}
