import {
  ClusterSummary,
  WarningEvent,
} from '@internal/plugin-cluster-health-common';
import { EntityLink } from '@internal/platform-react';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { formatAge } from '../../lib/format';
import { unreadResources } from '../../lib/freshness';
import { NOWRAP } from '../../lib/styles';
import { asLines, UnreadNotice } from '../UnreadNotice';

/** The cluster's recent warning events, also those that belong to no problem. */
export function WarningEventsTable({
  events,
  cluster,
}: {
  events: WarningEvent[];
  cluster?: Pick<ClusterSummary, 'resources'>;
}) {
  const unread = cluster ? unreadResources(cluster, ['events']) : [];
  if (events.length === 0) {
    return unread.length > 0 ? (
      <UnreadNotice lines={asLines(unread)} what="Events are not read:" />
    ) : (
      <Typography>
        No warning events in the cluster's recent history.
      </Typography>
    );
  }
  return (
    <>
      <UnreadNotice lines={asLines(unread)} what="Events are not read:" />
      <Table size="small" aria-label="Recent warning events">
        <TableHead>
          <TableRow>
            <TableCell sx={NOWRAP}>Last seen</TableCell>
            <TableCell>Reason</TableCell>
            <TableCell>Object</TableCell>
            <TableCell>Message</TableCell>
            <TableCell>Entity</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {events.map((e, i) => (
            <TableRow
              key={`${e.namespace ?? ''}/${e.object.kind}/${e.object.name}/${
                e.reason
              }/${i}`}
            >
              <TableCell sx={NOWRAP}>
                {e.lastSeen ? formatAge(e.lastSeen) : '—'}
              </TableCell>
              <TableCell sx={NOWRAP}>
                {e.reason}
                {e.count > 1 ? ` ×${e.count}` : ''}
              </TableCell>
              <TableCell sx={{ minWidth: 160 }}>
                {e.object.kind} {e.namespace ? `${e.namespace}/` : ''}
                <wbr />
                {e.object.name}
              </TableCell>
              <TableCell sx={{ minWidth: 280 }}>{e.message}</TableCell>
              <TableCell sx={{ minWidth: 140 }}>
                <EntityLink entityRef={e.entityRef} defaultKind="component" />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
