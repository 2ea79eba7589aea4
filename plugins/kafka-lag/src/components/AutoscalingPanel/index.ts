export { AutoscalingPanel, ScaledObjectExplanation } from './AutoscalingPanel';
export type { AutoscalingPanelProps } from './AutoscalingPanel';
