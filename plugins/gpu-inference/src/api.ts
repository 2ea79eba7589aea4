import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  FleetView,
  ModelServerView,
} from '@internal/plugin-gpu-inference-common';

export interface GpuInferenceApi {
  getFleet(): Promise<FleetView>;
  getModelServer(
    entityRef: string,
    range: '1h' | '6h' | '24h',
  ): Promise<ModelServerView>;
}

export const gpuInferenceApiRef = createApiRef<GpuInferenceApi>({
  id: 'plugin.gpu-inference.api',
});

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

  getModelServer(entityRef: string, range: '1h' | '6h' | '24h') {
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

export function errorTitle(error: Error): string {
  if (ResponseError.is(error) && error.cause?.message)
    return `${error.statusCode}: ${error.cause.message}`;
  return error.message;
}
