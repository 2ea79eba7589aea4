export { ClusterPanels } from './ClusterPanels';
