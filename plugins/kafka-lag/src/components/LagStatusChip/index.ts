export { LagStatusChip, LAG_STATUS_DESCRIPTIONS } from './LagStatusChip';
export type { LagStatusChipProps } from './LagStatusChip';
