export { WorkloadHealthCard } from './WorkloadHealthCard';
