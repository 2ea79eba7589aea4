export { CapacityTable } from './CapacityTable';
