export { ClusterNotices } from './ClusterNotices';
