export { gpuInferenceApiRef } from './GpuInferenceApi';
export type { GpuInferenceApi } from './GpuInferenceApi';
export { GpuInferenceClient } from './GpuInferenceClient';
