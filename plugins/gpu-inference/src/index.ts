/**
 * GPU inference for Backstage's new frontend system: a fleet page and a model-server card.
 *
 * @packageDocumentation
 */
import { gpuInferencePlugin } from './plugin';

export default gpuInferencePlugin;
export { gpuInferenceApiRef, GpuInferenceClient } from './api';
export type { GpuInferenceApi } from './api';
