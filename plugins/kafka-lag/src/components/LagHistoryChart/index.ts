export { LagHistoryChart } from './LagHistoryChart';
export type { LagHistoryChartProps } from './LagHistoryChart';
