import { FleetView } from '@internal/plugin-gpu-inference-common';
import Alert from '@mui/material/Alert';
import Typography from '@mui/material/Typography';

const CLUSTER_SEVERITY = {
  starting: 'info',
  stale: 'warning',
  unavailable: 'error',
} as const;

/**
 * One line per cluster whose figures are not current (named, with what to check), and what
 * to say when there are no GPU rows: that no node has GPUs only for clusters that answered.
 */
export function ClusterNotices({ view }: { view: FleetView }) {
  const clusters = view.clusters ?? [];
  const answering = clusters.filter(c => c.status === 'ok');
  const withRows = new Set(view.capacity.map(c => c.cluster));
  const withoutGpus = answering.filter(c => !withRows.has(c.cluster));
  return (
    <>
      {clusters.length === 0 && (
        <Typography>
          No cluster is configured: add one under
          kubernetes.clusterLocatorMethods.
        </Typography>
      )}
      {clusters.map(c =>
        c.status === 'ok' ? null : (
          <Alert
            key={c.cluster}
            severity={CLUSTER_SEVERITY[c.status]}
            sx={{ mb: 1 }}
          >
            {c.message}
          </Alert>
        ),
      )}
      {withoutGpus.length > 0 && (
        <Typography sx={{ mb: 1 }}>
          No node with nvidia.com/gpu in{' '}
          {withoutGpus.map(c => c.title ?? c.cluster).join(', ')}.
        </Typography>
      )}
    </>
  );
}
