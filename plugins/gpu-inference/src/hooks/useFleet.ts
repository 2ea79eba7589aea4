import { useApi } from '@backstage/frontend-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { gpuInferenceApiRef } from '../api';
import { REFRESH_MS } from './refresh';

/** The fleet view, asked again every {@link REFRESH_MS}. */
export function useFleet() {
  const api = useApi(gpuInferenceApiRef);
  const state = useAsyncRetry(() => api.getFleet(), []);
  useInterval(() => state.retry(), REFRESH_MS);
  return state;
}
