/**
 * The GPU inference backend plugin.
 *
 * @packageDocumentation
 */
export { gpuInferencePlugin as default } from './plugin';
