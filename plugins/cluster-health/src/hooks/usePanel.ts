import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';

/** How often a panel asks the backend again. */
export const REFRESH_MS = 15_000;

/**
 * One panel's data, loaded and refreshed every {@link REFRESH_MS}, with its own loading and
 * error states (a failing panel never blanks the page).
 */
export function usePanel<T>(load: () => Promise<T>, deps: unknown[]) {
  const state = useAsyncRetry(load, deps);
  useInterval(() => state.retry(), REFRESH_MS);
  return state;
}
