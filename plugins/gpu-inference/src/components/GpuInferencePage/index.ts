export { GpuInferencePage } from './GpuInferencePage';
