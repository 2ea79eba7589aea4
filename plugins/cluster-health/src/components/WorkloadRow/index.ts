export { WorkloadRow } from './WorkloadRow';
