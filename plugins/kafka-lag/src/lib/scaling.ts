import type { ScalingReason } from '@internal/plugin-kafka-lag-common';

/** A binding reason in two or three words, and how much it should worry the reader. */
export const SCALING_REASONS: Record<
  ScalingReason,
  { label: string; severity: 'success' | 'info' | 'warning' | 'error' }
> = {
  paused: { label: 'Paused', severity: 'warning' },
  'not-ready': { label: 'Not ready', severity: 'error' },
  fallback: { label: 'On fallback', severity: 'error' },
  inactive: { label: 'Inactive', severity: 'info' },
  'no-hpa': { label: 'No HPA', severity: 'warning' },
  'hpa-metrics': { label: 'HPA has no metric', severity: 'warning' },
  partitions: { label: 'Partitions bind', severity: 'warning' },
  'max-replicas': { label: 'At maxReplicaCount', severity: 'warning' },
  'min-replicas': { label: 'At minReplicaCount', severity: 'info' },
  'hpa-limited': { label: 'HPA limited', severity: 'warning' },
  scaling: { label: 'Scaling', severity: 'info' },
  'as-asked': { label: 'Scaled as asked', severity: 'success' },
};
