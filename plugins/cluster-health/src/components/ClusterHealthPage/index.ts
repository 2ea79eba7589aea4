export { ClusterHealthPage } from './ClusterHealthPage';
