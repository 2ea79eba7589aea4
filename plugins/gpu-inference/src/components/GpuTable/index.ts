export { GpuTable } from './GpuTable';
