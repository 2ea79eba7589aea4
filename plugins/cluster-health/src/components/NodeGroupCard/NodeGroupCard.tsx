import { InfoCard } from '@backstage/core-components';
import {
  formatBytes,
  formatCpu,
  NodeGroupSummary,
  Resources,
} from '@internal/plugin-cluster-health-common';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';

function Usage({
  label,
  used,
  total,
  format,
  of,
}: {
  label: string;
  used: number;
  total: number;
  format: (n: number) => string;
  /** What `total` is the allocatable of, e.g. "2 Ready nodes". */
  of: string;
}) {
  const share = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  return (
    <Box mb={1}>
      <Typography variant="body2">
        {label}: {format(used)} requested of {format(total)} allocatable on {of}
      </Typography>
      <LinearProgress
        variant="determinate"
        value={share}
        color={share > 90 ? 'warning' : 'primary'}
      />
    </Box>
  );
}

const headroomWords = (h: Resources) =>
  [
    `${formatCpu(h.cpuMillis)} CPU`,
    formatBytes(h.memoryBytes),
    h.gpus !== 0 ? `${h.gpus} GPU` : undefined,
  ]
    .filter(Boolean)
    .join(', ');

/** A node group's nodes, requested against allocatable, and its headroom if the largest node is lost. */
export function NodeGroupCard({ group }: { group: NodeGroupSummary }) {
  // The backend's allocatable counts only the nodes that take pods: Ready and not cordoned.
  const usable = group.nodes.filter(n => n.ready && !n.unschedulable).length;
  const cordoned = group.nodes.filter(n => n.ready && n.unschedulable).length;
  const of = `${usable} Ready${cordoned > 0 ? ', schedulable' : ''} node${
    usable === 1 ? '' : 's'
  }`;
  const short =
    group.headroomNMinus1.cpuMillis < 0 ||
    group.headroomNMinus1.memoryBytes < 0 ||
    group.headroomNMinus1.gpus < 0;
  return (
    <InfoCard
      title={`Node group ${group.name}`}
      subheader={`${group.instanceTypes.join(', ')} · ${group.zones.join(
        ', ',
      )}`}
    >
      <Typography variant="body1" gutterBottom>
        {group.nodes.length} nodes: {group.ready} Ready
        {group.notReady > 0 ? `, ${group.notReady} NotReady` : ''}
        {cordoned > 0 ? `, ${cordoned} cordoned` : ''}
      </Typography>
      <Usage
        label="CPU"
        used={group.requested.cpuMillis}
        total={group.allocatable.cpuMillis}
        format={formatCpu}
        of={of}
      />
      <Usage
        label="Memory"
        used={group.requested.memoryBytes}
        total={group.allocatable.memoryBytes}
        format={formatBytes}
        of={of}
      />
      {group.allocatable.gpus > 0 && (
        <Usage
          label="GPU"
          used={group.requested.gpus}
          total={group.allocatable.gpus}
          format={n => String(n)}
          of={of}
        />
      )}
      {short ? (
        <Alert severity="warning" sx={{ mt: 1 }}>
          Losing the largest node would leave{' '}
          {headroomWords(group.headroomNMinus1)}: the group cannot absorb it.
        </Alert>
      ) : (
        <Typography variant="body2" color="text.secondary">
          Headroom if the largest node is lost:{' '}
          {headroomWords(group.headroomNMinus1)}
        </Typography>
      )}
      {group.nodes
        .filter(n => !n.ready)
        .map(n => (
          <Alert key={n.name} severity="error" sx={{ mt: 1 }}>
            <AlertTitle>{n.name} is NotReady</AlertTitle>
            {n.notReadyReason}
          </Alert>
        ))}
    </InfoCard>
  );
}
