import { useApi } from '@backstage/frontend-plugin-api';
import { ModelServerRange } from '@internal/plugin-gpu-inference-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { gpuInferenceApiRef } from '../api';
import { REFRESH_MS } from './refresh';

/** A model server's view over `range`, asked again every {@link REFRESH_MS}. */
export function useModelServer(entityRef: string, range: ModelServerRange) {
  const api = useApi(gpuInferenceApiRef);
  const state = useAsyncRetry(
    () => api.getModelServer(entityRef, range),
    [entityRef, range],
  );
  useInterval(() => state.retry(), REFRESH_MS);
  return state;
}
