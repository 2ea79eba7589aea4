import {
  CoverageGap,
  DaemonSetCoverage,
} from '@internal/plugin-cluster-health-common';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';

const GAP_WORDS: Record<CoverageGap['reason'], string> = {
  'taint-not-tolerated': 'taint not tolerated',
  'node-selector': 'node selector / affinity',
  'pod-failing': 'pod failing',
  'pod-pending': 'pod pending',
  'not-scheduled': 'no pod',
  'node-not-ready': 'node NotReady',
};

function coverageCell(cell?: {
  nodes: number;
  desired: number;
  ready: number;
}) {
  if (!cell) return '—';
  if (cell.desired === 0) return `— of ${cell.nodes}`;
  return `${cell.ready}/${cell.desired} of ${cell.nodes}`;
}

/** DaemonSet pods ready / desired per node group, and every node that misses one, with why. */
export function CoverageMatrix({
  coverage,
}: {
  coverage: DaemonSetCoverage[];
}) {
  const groups = [
    ...new Set(coverage.flatMap(d => Object.keys(d.byNodeGroup))),
  ].sort();
  return (
    <Table size="small" aria-label="DaemonSet coverage">
      <TableHead>
        <TableRow>
          <TableCell>DaemonSet</TableCell>
          {groups.map(g => (
            <TableCell key={g}>{g} (ready/desired of nodes)</TableCell>
          ))}
          <TableCell>Nodes missing a pod</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {coverage.map(ds => (
          <TableRow key={`${ds.namespace}/${ds.name}`}>
            <TableCell>
              {ds.name}
              <Typography
                variant="caption"
                display="block"
                color="text.secondary"
              >
                {ds.namespace}
              </Typography>
            </TableCell>
            {groups.map(g => {
              const cell = ds.byNodeGroup[g];
              const full = cell && cell.ready === cell.nodes;
              return (
                <TableCell
                  key={g}
                  sx={{
                    color: full || !cell?.desired ? undefined : 'warning.main',
                  }}
                >
                  {coverageCell(cell)}
                </TableCell>
              );
            })}
            <TableCell>
              {ds.gaps.length === 0
                ? 'none'
                : ds.gaps.map(gap => (
                    <div key={gap.node}>
                      <strong>{gap.node}</strong> ({gap.nodeGroup}):{' '}
                      {GAP_WORDS[gap.reason]} — {gap.detail}
                    </div>
                  ))}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
