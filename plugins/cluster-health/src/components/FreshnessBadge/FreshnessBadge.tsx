import { ClusterSummary } from '@internal/plugin-cluster-health-common';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import { formatAge } from '../../lib/format';

const STATUS_COLOR = {
  ok: 'success',
  starting: 'info',
  degraded: 'warning',
  down: 'error',
} as const;

/** Status of a cluster and how fresh its cache is, with each resource type in the tooltip. */
export function FreshnessBadge({ cluster }: { cluster: ClusterSummary }) {
  const newest = cluster.resources
    .map(r => r.lastEventAt)
    .filter(Boolean)
    .sort()
    .pop();
  const problems = cluster.resources.filter(r => r.state !== 'synced');
  const tooltip = (
    <Box>
      {cluster.resources.map(r => (
        <div key={r.resource}>
          {r.resource}: {r.state} ({r.count}){r.error ? ` — ${r.error}` : ''}
        </div>
      ))}
    </Box>
  );
  return (
    <Tooltip title={tooltip}>
      <Chip
        size="small"
        color={STATUS_COLOR[cluster.status]}
        label={`${cluster.name}: ${cluster.status}${
          newest ? `, updated ${formatAge(newest)}` : ''
        }${
          problems.length > 0
            ? `, ${problems.map(p => `${p.resource} ${p.state}`).join(', ')}`
            : ''
        }`}
      />
    </Tooltip>
  );
}
