import { Link } from '@backstage/core-components';
import { WorkloadSummary } from '@internal/plugin-cluster-health-common';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

const ROLLOUT_COLOR = {
  complete: 'success',
  progressing: 'info',
  stalled: 'error',
  'scaled-down': 'default',
} as const;

/** One workload: its rollout, ready pods and restarts, and each failing pod's reason. */
export function WorkloadRow({ w }: { w: WorkloadSummary }) {
  const failing = w.pods.filter(p => !p.ready && p.reason);
  return (
    <div>
      <Stack direction="row" spacing={1} alignItems="center">
        <Typography variant="subtitle2">
          {w.kind} {w.namespace}/{w.name}
        </Typography>
        <Chip size="small" color={ROLLOUT_COLOR[w.rollout]} label={w.rollout} />
        <Typography variant="body2">
          {w.ready}/{w.desired} ready
          {w.restarts > 0 ? `, ${w.restarts} restarts` : ''}
        </Typography>
        {w.logsUrl && <Link to={w.logsUrl}>Logs</Link>}
      </Stack>
      {w.message && (
        <Typography variant="body2" color="text.secondary">
          {w.message}
        </Typography>
      )}
      {failing.map(p => (
        <Typography key={p.name} variant="caption" display="block">
          {p.name}: {p.reason}
        </Typography>
      ))}
    </div>
  );
}
