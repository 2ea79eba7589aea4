/**
 * Shared by the GPU inference plugin's frontend and backend.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './permissions';
export * from './fit';

/** PromQL label matchers of a model server's vLLM metrics, e.g. job="model-server",model_name="x". */
export const MODEL_SERVER_SELECTOR_ANNOTATION =
  'ml-platform.io/model-server-selector';
