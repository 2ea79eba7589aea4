import { useState } from 'react';
import {
  ClusterSummary,
  Problem,
} from '@internal/plugin-cluster-health-common';
import { EntityLink } from '@internal/platform-react';
import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { formatAge } from '../../lib/format';
import { PROBLEM_SOURCES, unreadResources } from '../../lib/freshness';
import { NOWRAP } from '../../lib/styles';
import { asLines, UnreadNotice } from '../UnreadNotice';

/** The cluster's problems, each linked to its entity and owner; a click shows its recent events. */
export function ProblemsTable({
  problems,
  cluster,
}: {
  problems: Problem[];
  /** The cluster's freshness: which problem sources could not be read. */
  cluster?: Pick<ClusterSummary, 'resources'>;
}) {
  const [expanded, setExpanded] = useState<string>();
  const unread = cluster ? unreadResources(cluster, PROBLEM_SOURCES) : [];
  if (problems.length === 0) {
    if (unread.length > 0) {
      return (
        <UnreadNotice
          lines={asLines(unread)}
          what="No problems in what could be read, but not everything is read:"
        />
      );
    }
    return (
      <Typography>
        No problems match: every watched workload, node and budget is healthy.
      </Typography>
    );
  }
  return (
    <>
      <UnreadNotice
        lines={asLines(unread)}
        what="Not checked for problems (the list below may be incomplete):"
      />
      <Table size="small" aria-label="Problems">
        <TableHead>
          <TableRow>
            <TableCell>Severity</TableCell>
            <TableCell sx={NOWRAP}>Problem</TableCell>
            <TableCell>Object</TableCell>
            <TableCell>Message</TableCell>
            <TableCell>Entity</TableCell>
            <TableCell>Owner</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {problems.map(p => (
            <TableRow
              key={p.id}
              hover
              onClick={() => setExpanded(expanded === p.id ? undefined : p.id)}
            >
              <TableCell>
                <Chip
                  size="small"
                  color={p.severity === 'error' ? 'error' : 'warning'}
                  label={p.severity}
                />
              </TableCell>
              <TableCell sx={NOWRAP}>{p.kind}</TableCell>
              <TableCell sx={{ minWidth: 160 }}>
                {p.object.kind} {p.namespace ? `${p.namespace}/` : ''}
                <wbr />
                {p.object.name}
              </TableCell>
              <TableCell sx={{ minWidth: 280 }}>
                {p.message}
                {p.since && (
                  <Typography
                    variant="caption"
                    display="block"
                    color="text.secondary"
                  >
                    since {formatAge(p.since)}
                  </Typography>
                )}
                {expanded === p.id &&
                  p.events.map(e => (
                    <Typography
                      key={`${e.reason}${e.lastSeen}`}
                      variant="caption"
                      display="block"
                    >
                      {e.reason} ×{e.count}: {e.message}
                    </Typography>
                  ))}
                {expanded !== p.id && p.events.length > 0 && (
                  <Typography variant="caption" color="primary">
                    {p.events.length} recent events (click)
                  </Typography>
                )}
              </TableCell>
              <TableCell sx={{ minWidth: 140 }}>
                <EntityLink entityRef={p.entityRef} defaultKind="component" />
              </TableCell>
              <TableCell sx={{ minWidth: 140 }}>
                <EntityLink entityRef={p.ownerRef} defaultKind="group" />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
