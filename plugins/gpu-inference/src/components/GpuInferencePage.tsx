import {
  Content,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useState } from 'react';
import {
  FleetView,
  GpuCapacity,
  GpuUse,
  PrometheusStatus,
  gpuFit,
} from '@internal/plugin-gpu-inference-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { errorTitle, gpuInferenceApiRef } from '../api';
import { entityLink } from './format';

/** Says why a Prometheus panel is empty, naming the key; nothing when Prometheus answered. */
export function PrometheusNotice({
  prometheus,
}: {
  prometheus: PrometheusStatus;
}) {
  if (prometheus.status === 'ok') return null;
  if (prometheus.status === 'unreachable')
    return (
      <Alert severity="error">
        {prometheus.message ??
          'Prometheus at gpuInference.prometheus.baseUrl is unreachable'}
      </Alert>
    );
  return (
    <Alert severity="info">
      Prometheus is not configured: {prometheus.message}
    </Alert>
  );
}

const CLUSTER_SEVERITY = {
  starting: 'info',
  stale: 'warning',
  unavailable: 'error',
} as const;

/**
 * One line per cluster whose figures are not current (named, with what to check), and what
 * to say when there are no GPU rows: that no node has GPUs only for clusters that answered.
 */
function ClusterNotices({ view }: { view: FleetView }) {
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

function heat(util: number) {
  if (util >= 80) return '#d32f2f';
  if (util >= 40) return '#f57c00';
  if (util >= 10) return '#388e3c';
  return '#9e9e9e';
}

export function GpuTable({ gpus }: { gpus: GpuUse[] }) {
  return (
    <Table size="small" aria-label="GPUs">
      <TableHead>
        <TableRow>
          <TableCell>GPU</TableCell>
          <TableCell>Utilisation</TableCell>
          <TableCell>Memory</TableCell>
          <TableCell>Power / temp / SM clock</TableCell>
          <TableCell>XID</TableCell>
          <TableCell>Pod</TableCell>
          <TableCell>Entity / owner</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {gpus.map(g => (
          <TableRow key={`${g.node}/${g.gpu}`}>
            <TableCell>
              {g.node} #{g.gpu}
              <Typography
                variant="caption"
                display="block"
                color="text.secondary"
              >
                {g.modelName}
              </Typography>
            </TableCell>
            <TableCell>
              <Box
                component="span"
                sx={{
                  display: 'inline-block',
                  width: 12,
                  height: 12,
                  mr: 1,
                  bgcolor: heat(g.utilisation),
                }}
              />
              {g.utilisation.toFixed(0)}%
              {g.utilisationAvg !== undefined &&
                ` (avg ${g.utilisationAvg.toFixed(0)}%)`}
            </TableCell>
            <TableCell>
              {(g.memoryUsedMiB / 1024).toFixed(1)} /{' '}
              {(g.memoryTotalMiB / 1024).toFixed(0)} GiB
            </TableCell>
            <TableCell>
              {g.powerWatts.toFixed(0)} W · {g.temperatureC} °C · {g.smClockMHz}{' '}
              MHz
            </TableCell>
            <TableCell sx={{ color: g.xidErrors ? 'error.main' : undefined }}>
              {g.xidErrors || '—'}
            </TableCell>
            <TableCell>
              {g.pod ? `${g.namespace}/${g.pod}` : 'unallocated'}
            </TableCell>
            <TableCell>
              {g.entityRef ? (
                <Link to={entityLink(g.entityRef)}>{g.entityRef}</Link>
              ) : (
                '—'
              )}
              {g.ownerRef && (
                <Typography variant="caption" display="block">
                  <Link to={entityLink(g.ownerRef)}>{g.ownerRef}</Link>
                </Typography>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** "Could a pod asking for N GPUs be scheduled now?", answered per node group. */
function FitCheck({ capacity }: { capacity: GpuCapacity[] }) {
  const [asked, setAsked] = useState('1');
  const gpus = Number(asked);
  const valid = Number.isInteger(gpus) && gpus > 0;
  const fitting = valid
    ? capacity
        .map(c => ({ group: c, fit: gpuFit(c, gpus) }))
        .filter(({ fit }) => fit.fits)
    : [];
  let answer: JSX.Element;
  if (!valid)
    answer = (
      <Alert severity="error">Enter a whole number of GPUs, 1 or more.</Alert>
    );
  else if (fitting.length === 0)
    answer = (
      <Alert severity="warning">
        No: no node has {gpus} GPU{gpus === 1 ? '' : 's'} free now (largest fit{' '}
        {Math.max(0, ...capacity.map(c => c.largestFit))}). The pod would wait
        Pending until GPUs are freed or the node group scales up.
      </Alert>
    );
  else
    answer = (
      <Alert severity="success">
        Yes:{' '}
        {fitting
          .map(
            ({ group, fit }) =>
              `${group.cluster} / ${group.nodeGroup} (${group.gpuModel}) on ${
                fit.nodes
              } node${fit.nodes === 1 ? '' : 's'}, room for ${
                fit.pods
              } such pod${fit.pods === 1 ? '' : 's'}`,
          )
          .join('; ')}
        . GPUs only: CPU, memory and taints are for the scheduler to judge.
      </Alert>
    );
  return (
    <Stack direction="row" spacing={2} alignItems="center" sx={{ mt: 2 }}>
      <TextField
        label="A new pod asking for N GPUs"
        size="small"
        type="number"
        value={asked}
        onChange={e => setAsked(e.target.value)}
        inputProps={{ min: 1, step: 1 }}
        sx={{ width: 240 }}
      />
      <Box sx={{ flex: 1 }}>{answer}</Box>
    </Stack>
  );
}

export function GpuInferencePage() {
  const api = useApi(gpuInferenceApiRef);
  const fleet = useAsyncRetry(() => api.getFleet(), []);
  useInterval(() => fleet.retry(), 15_000);

  if (fleet.error)
    return (
      <Content>
        <ResponseErrorPanel
          error={fleet.error}
          title={errorTitle(fleet.error)}
        />
      </Content>
    );
  if (!fleet.value)
    return (
      <Content>
        <Progress />
      </Content>
    );
  const view = fleet.value;
  // Clusters whose rows are not current: stale (last figures) or still listing.
  const notCurrent = new Map(
    (view.clusters ?? [])
      .filter(c => c.status !== 'ok')
      .map(c => [c.cluster, c.status]),
  );
  // "Could it be scheduled now" is asked of current figures only.
  const current = view.capacity.filter(c => !notCurrent.has(c.cluster));
  return (
    <Content>
      <Stack spacing={3}>
        <InfoCard
          title="GPU capacity"
          subheader="From the clusters of kubernetes.clusterLocatorMethods"
        >
          <ClusterNotices view={view} />
          {view.capacity.length > 0 && (
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
                {view.capacity.map(c => (
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
          )}
          {current.length > 0 && <FitCheck capacity={current} />}
          {view.pending.map(p => (
            <Alert
              key={`${p.namespace}/${p.pod}`}
              severity="warning"
              sx={{ mt: 1 }}
            >
              {p.namespace}/{p.pod} waits for {p.gpus} GPUs
              {p.entityRef ? ` (${p.entityRef})` : ''}: {p.message}
            </Alert>
          ))}
        </InfoCard>
        <InfoCard
          title="Allocated but idle"
          subheader={`GPUs held by a pod and below ${view.idleThresholdPercent}% over ${view.idleWindow}`}
        >
          <PrometheusNotice prometheus={view.prometheus} />
          {view.prometheus.status === 'ok' &&
            (view.waste.length === 0 ? (
              <Typography>No allocated GPU is idle.</Typography>
            ) : (
              view.waste.map(g => (
                <Typography key={`${g.node}/${g.gpu}`}>
                  {g.node} #{g.gpu} ({g.pod}):{' '}
                  {(g.utilisationAvg ?? g.utilisation).toFixed(0)}% —{' '}
                  {g.gpuHoursWasted} GPU-hours wasted —{' '}
                  {g.entityRef ? (
                    <Link to={entityLink(g.entityRef)}>{g.entityRef}</Link>
                  ) : (
                    'no entity'
                  )}
                  {g.ownerRef ? `, owner ${g.ownerRef}` : ''}
                </Typography>
              ))
            ))}
        </InfoCard>
        <InfoCard
          title="GPUs"
          subheader={`DCGM figures (${view.queries} PromQL queries for this view)`}
        >
          <PrometheusNotice prometheus={view.prometheus} />
          {view.prometheus.status === 'ok' && <GpuTable gpus={view.gpus} />}
        </InfoCard>
      </Stack>
    </Content>
  );
}
