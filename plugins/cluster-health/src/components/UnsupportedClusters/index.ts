export { UnsupportedClusters } from './UnsupportedClusters';
