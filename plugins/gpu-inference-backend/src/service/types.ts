import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  FleetView,
  ModelServerRange,
  ModelServerView,
} from '@internal/plugin-gpu-inference-common';

/**
 * The GPU inference views. Each is read on behalf of the asker: entity and owner refs in it
 * come from catalog reads with the asker's credentials, so an entity the asker may not read
 * is not linked. Request failures are thrown from `@backstage/errors`; Prometheus or a cluster
 * that does not answer is a partial view (see `PrometheusStatus` and `GpuClusterStatus`).
 */
export interface GpuInferenceService {
  /** Capacity, pending GPU pods, per-GPU use and waste across every cluster of the cache. */
  getFleet(options: { credentials: BackstageCredentials }): Promise<FleetView>;

  /**
   * A model server's figures, verdict, series over `range` and the GPUs of its pods.
   * `InputError` for a malformed entity ref or selector annotation, `NotFoundError` for an
   * entity that does not exist or that the asker may not read.
   */
  getModelServer(
    request: { entityRef: string; range: ModelServerRange },
    options: { credentials: BackstageCredentials },
  ): Promise<ModelServerView>;
}
