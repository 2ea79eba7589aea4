export { GroupDetail, HISTORY_WINDOWS } from './GroupDetail';
export type { GroupDetailProps } from './GroupDetail';
