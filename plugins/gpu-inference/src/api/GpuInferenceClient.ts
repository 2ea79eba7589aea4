import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  FleetView,
  ModelServerRange,
  ModelServerView,
} from '@internal/plugin-gpu-inference-common';
import { GpuInferenceApi } from './GpuInferenceApi';

/** Talks to the GPU inference backend through the app's discovery and fetch APIs. */
export class GpuInferenceClient implements GpuInferenceApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  getFleet() {
    return this.get<FleetView>('/fleet');
  }

  getModelServer(entityRef: string, range: ModelServerRange) {
    return this.get<ModelServerView>(
      `/entity?${new URLSearchParams({ entityRef, range })}`,
    );
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('gpu-inference');
    const res = await this.options.fetchApi.fetch(`${baseUrl}${path}`);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }
}
