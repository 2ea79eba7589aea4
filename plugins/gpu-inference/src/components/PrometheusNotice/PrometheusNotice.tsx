import { ReactNode } from 'react';
import { PrometheusStatus } from '@internal/plugin-gpu-inference-common';
import Alert from '@mui/material/Alert';

/**
 * Figures read from Prometheus: its children when Prometheus answered, otherwise why there
 * are none (not configured, or unreachable), naming the config key.
 */
export function PrometheusNotice({
  prometheus,
  children,
}: {
  prometheus: PrometheusStatus;
  /** What to show when Prometheus answered. */
  children?: ReactNode;
}) {
  if (prometheus.status === 'ok') return <>{children}</>;
  if (prometheus.status === 'unreachable')
    return (
      <Alert severity="error">
        {prometheus.message ??
          'Prometheus at gpuInference.prometheus.baseUrl is unreachable'}
      </Alert>
    );
  return (
    <Alert severity="info">
      Prometheus is not configured: {prometheus.message}
    </Alert>
  );
}
