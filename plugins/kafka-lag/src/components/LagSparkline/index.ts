export { LagSparkline } from './LagSparkline';
export type { LagSparklineProps } from './LagSparkline';
