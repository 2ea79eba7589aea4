import { Link } from '@backstage/core-components';
import type {
  AlertState,
  ClusterAlerts,
  PortalAlert,
} from '@internal/plugin-cluster-health-common';
import Alert from '@mui/material/Alert';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';

const STATE_COLOR: Record<AlertState, 'error' | 'default'> = {
  firing: 'error',
  silenced: 'default',
  inhibited: 'default',
};

const SEVERITY_COLOR: Record<string, 'error' | 'warning' | 'info'> = {
  critical: 'error',
  error: 'error',
  warning: 'warning',
};

function since(startsAt: string) {
  const minutes = Math.max(
    0,
    Math.round((Date.now() - Date.parse(startsAt)) / 60_000),
  );
  if (minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}

function AlertRow({ alert }: { alert: PortalAlert }) {
  return (
    <TableRow>
      <TableCell>
        <Chip
          size="small"
          color={STATE_COLOR[alert.state]}
          variant={alert.state === 'firing' ? 'filled' : 'outlined'}
          label={alert.state}
        />
      </TableCell>
      <TableCell>
        <Typography variant="body2" fontWeight="bold">
          {alert.name}
        </Typography>
        {alert.summary && (
          <Typography variant="body2">{alert.summary}</Typography>
        )}
        {alert.matchedBy && (
          <Typography variant="caption" color="text.secondary">
            {alert.matchedBy}
          </Typography>
        )}
      </TableCell>
      <TableCell>
        {alert.severity ? (
          <Chip
            size="small"
            variant="outlined"
            color={SEVERITY_COLOR[alert.severity] ?? 'info'}
            label={alert.severity}
          />
        ) : (
          '—'
        )}
      </TableCell>
      <TableCell>{since(alert.startsAt)}</TableCell>
      <TableCell>
        <Stack direction="row" spacing={1}>
          <Link to={alert.alertmanagerUrl}>Alertmanager</Link>
          {alert.generatorUrl && <Link to={alert.generatorUrl}>Rule</Link>}
        </Stack>
      </TableCell>
    </TableRow>
  );
}

/**
 * One cluster's alerts (firing first, then silenced and inhibited), or why there are none
 * to show: an Alertmanager that did not answer, or none configured, with the key to set.
 */
export function AlertsList({ alerts }: { alerts: ClusterAlerts }) {
  if (alerts.status !== 'ok') {
    return (
      <Alert severity={alerts.status === 'unreachable' ? 'error' : 'info'}>
        {alerts.message}
      </Alert>
    );
  }
  if (alerts.alerts.length === 0) {
    return (
      <Typography variant="body2">
        No alert is firing or silenced
        {alerts.alertmanagerUrl && (
          <>
            {' '}
            (<Link to={alerts.alertmanagerUrl}>Alertmanager</Link>)
          </>
        )}
        .
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label={`alerts of ${alerts.cluster}`}>
      <TableHead>
        <TableRow>
          <TableCell>State</TableCell>
          <TableCell>Alert</TableCell>
          <TableCell>Severity</TableCell>
          <TableCell>Since</TableCell>
          <TableCell>Links</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {alerts.alerts.map(a => (
          <AlertRow key={a.fingerprint} alert={a} />
        ))}
      </TableBody>
    </Table>
  );
}
