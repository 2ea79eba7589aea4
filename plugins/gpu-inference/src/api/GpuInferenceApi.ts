import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  FleetView,
  ModelServerRange,
  ModelServerView,
} from '@internal/plugin-gpu-inference-common';

/** The GPU inference backend's routes (see plugins/gpu-inference-backend/README.md). */
export interface GpuInferenceApi {
  getFleet(): Promise<FleetView>;
  getModelServer(
    entityRef: string,
    range: ModelServerRange,
  ): Promise<ModelServerView>;
}

export const gpuInferenceApiRef = createApiRef<GpuInferenceApi>({
  id: 'plugin.gpu-inference.api',
});
