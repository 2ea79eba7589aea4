export { FreshnessBadge } from './FreshnessBadge';
