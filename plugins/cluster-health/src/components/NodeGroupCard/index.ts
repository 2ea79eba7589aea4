export { NodeGroupCard } from './NodeGroupCard';
