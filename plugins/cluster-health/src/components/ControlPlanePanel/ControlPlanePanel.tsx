import {
  ControlPlanePartState,
  ControlPlaneView,
  HealthEndpointView,
  LeaderLeaseView,
} from '@internal/plugin-cluster-health-common';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Grid from '@mui/material/Grid';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { formatAge } from '../../lib/format';
import { NOWRAP } from '../../lib/styles';

const STATE_WORDS: Record<ControlPlanePartState, string> = {
  ok: 'ok',
  failing: 'failing',
  forbidden: 'forbidden',
  missing: 'missing',
  error: 'unreadable',
  unknown: 'not probed yet',
};

const STATE_COLOR = {
  ok: 'success',
  failing: 'error',
  error: 'error',
  forbidden: 'warning',
  missing: 'warning',
  unknown: 'default',
} as const;

const stateColor = (state: ControlPlanePartState) => STATE_COLOR[state];

function StateChip({
  label,
  state,
}: {
  label: string;
  state: ControlPlanePartState;
}) {
  return (
    <Chip
      size="small"
      label={`${label}: ${STATE_WORDS[state]}`}
      color={stateColor(state)}
      variant={state === 'ok' ? 'outlined' : 'filled'}
    />
  );
}

/** One health endpoint: its state, the failing checks named, the passing ones in a line. */
function Endpoint({ endpoint }: { endpoint: HealthEndpointView }) {
  const failing = endpoint.checks.filter(c => !c.ok);
  const passing = endpoint.checks.filter(c => c.ok);
  return (
    <Box>
      <StateChip label={`/${endpoint.endpoint}`} state={endpoint.state} />
      {endpoint.error && (
        <Typography variant="body2" color="text.secondary" mt={1}>
          {endpoint.error}
        </Typography>
      )}
      {failing.map(c => (
        <Typography key={c.name} variant="body2" color="error" mt={1}>
          {c.name} failing{c.message ? `: ${c.message}` : ''}
        </Typography>
      ))}
      {passing.length > 0 && (
        <Typography variant="body2" color="text.secondary" mt={1}>
          {passing.length} check{passing.length === 1 ? '' : 's'} passing:{' '}
          {passing.map(c => c.name).join(', ')}
        </Typography>
      )}
    </Box>
  );
}

function LeaseRow({ lease }: { lease: LeaderLeaseView }) {
  return (
    <TableRow>
      <TableCell sx={NOWRAP}>{lease.component}</TableCell>
      <TableCell sx={NOWRAP}>
        <StateChip
          label={lease.stale ? 'stale' : 'lease'}
          state={lease.state}
        />
      </TableCell>
      <TableCell>{lease.holder ?? '—'}</TableCell>
      <TableCell sx={NOWRAP}>
        {lease.renewedAt ? (
          <Tooltip title={lease.renewedAt}>
            <span>{formatAge(lease.renewedAt)}</span>
          </Tooltip>
        ) : (
          '—'
        )}
        {lease.leaseDurationSeconds
          ? ` (lease ${lease.leaseDurationSeconds} s)`
          : ''}
      </TableCell>
      <TableCell>{lease.message ?? lease.error ?? ''}</TableCell>
    </TableRow>
  );
}

/**
 * A cluster's control plane: the API server's version, its /readyz and /livez checks (each
 * failing one named), the scheduler's and controller-manager's leader Leases, and every
 * problem in words. When the API server did not answer the last probe, the last figures
 * stay, marked stale.
 */
export function ControlPlanePanel({ view }: { view: ControlPlaneView }) {
  const allForbidden =
    view.readyz.state === 'forbidden' &&
    view.livez.state === 'forbidden' &&
    view.leases.every(l => l.state === 'forbidden');
  return (
    <Box>
      {view.stale && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          <AlertTitle>
            Stale: the API server did not answer the last probe
          </AlertTitle>
          {view.error}.{' '}
          {view.lastSuccessAt
            ? `The figures below are from ${formatAge(view.lastSuccessAt)} (${
                view.lastSuccessAt
              }).`
            : 'Nothing has been read yet.'}
        </Alert>
      )}
      {allForbidden && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          <AlertTitle>Control plane: forbidden</AlertTitle>
          The portal's identity may not read the control plane of {view.cluster}
          . It needs get on the nonResourceURLs /readyz, /livez and /version,
          and get on leases (coordination.k8s.io) in kube-system.
        </Alert>
      )}
      {!view.stale && !allForbidden && view.problems.length > 0 && (
        <Alert
          severity={view.status === 'down' ? 'error' : 'warning'}
          sx={{ mb: 2 }}
        >
          <AlertTitle>Control plane {view.status}</AlertTitle>
          {view.problems.map(p => (
            <div key={p}>{p}</div>
          ))}
        </Alert>
      )}
      <Typography variant="body2" mb={2}>
        API server{' '}
        {view.version ? (
          <strong>{view.version.gitVersion}</strong>
        ) : (
          `version ${STATE_WORDS[view.versionState]}`
        )}
        {view.version?.platform ? ` on ${view.version.platform}` : ''}
        {view.versionError && view.versionState !== 'ok'
          ? ` (${view.versionError})`
          : ''}
        {view.lastSuccessAt ? ` · read ${formatAge(view.lastSuccessAt)}` : ''}
      </Typography>
      <Grid container spacing={2} mb={2}>
        <Grid item xs={12} md={6}>
          <Endpoint endpoint={view.readyz} />
        </Grid>
        <Grid item xs={12} md={6}>
          <Endpoint endpoint={view.livez} />
        </Grid>
      </Grid>
      <Table size="small" aria-label="leader leases">
        <TableHead>
          <TableRow>
            <TableCell>Component</TableCell>
            <TableCell>Leader Lease</TableCell>
            <TableCell>Holder</TableCell>
            <TableCell>Last renewal</TableCell>
            <TableCell>Status</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {view.leases.map(l => (
            <LeaseRow key={l.component} lease={l} />
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
