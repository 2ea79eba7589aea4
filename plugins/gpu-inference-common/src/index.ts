/**
 * Shared by the GPU inference plugin's frontend and backend.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './permissions';
export * from './fit';

/**
 * `ml-platform.io/model-server-selector`: the PromQL label matchers of a model server's vLLM
 * metrics, e.g. `job="model-server",model_name="x"`. Named once with the platform's other
 * annotations in `@internal/plugin-cluster-health-common`.
 */
export { MODEL_SERVER_SELECTOR_ANNOTATION } from '@internal/plugin-cluster-health-common';
