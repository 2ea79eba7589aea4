import {
  GpuCapacity,
  GpuClusterStatus,
} from '@internal/plugin-gpu-inference-common';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';

/** GPU capacity per cluster and node group; rows of a cluster that is not current are marked. */
export function CapacityTable({
  capacity,
  notCurrent,
}: {
  capacity: GpuCapacity[];
  /** The status of each cluster whose rows are not current (stale or still listing). */
  notCurrent: Map<string, GpuClusterStatus['status']>;
}) {
  return (
    <Table size="small" aria-label="GPU capacity">
      <TableHead>
        <TableRow>
          <TableCell>Cluster / node group</TableCell>
          <TableCell>GPU model</TableCell>
          <TableCell>Nodes</TableCell>
          <TableCell>Allocated / allocatable</TableCell>
          <TableCell>Free</TableCell>
          <TableCell>Largest pod that fits now</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {capacity.map(c => (
          <TableRow key={`${c.cluster}/${c.nodeGroup}/${c.gpuModel}`}>
            <TableCell>
              {c.cluster} / {c.nodeGroup}
              {notCurrent.has(c.cluster) && (
                <Typography
                  variant="caption"
                  display="block"
                  color="warning.main"
                >
                  {notCurrent.get(c.cluster) === 'stale'
                    ? 'stale: the last figures read'
                    : 'first listing in progress'}
                </Typography>
              )}
            </TableCell>
            <TableCell>{c.gpuModel}</TableCell>
            <TableCell>{c.nodes}</TableCell>
            <TableCell>
              {c.allocated} / {c.allocatable}
            </TableCell>
            <TableCell>{c.free}</TableCell>
            <TableCell>
              {c.largestFit === 0
                ? 'none: no GPU free on any node'
                : `${c.largestFit} GPUs`}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
