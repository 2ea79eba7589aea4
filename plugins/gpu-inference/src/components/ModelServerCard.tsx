import { useState } from 'react';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { ModelServerView } from '@internal/plugin-gpu-inference-common';
import Alert from '@mui/material/Alert';
import Grid from '@mui/material/Grid';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { errorTitle, gpuInferenceApiRef } from '../api';
import { GpuTable, PrometheusNotice } from './GpuInferencePage';

function seconds(v?: number) {
  if (v === undefined) return '—';
  return v < 1 ? `${(v * 1000).toFixed(0)} ms` : `${v.toFixed(2)} s`;
}

/** A small line of one figure over the range, scaled to its own maximum. */
function Sparkline({
  series,
  figure,
  label,
}: {
  series: ModelServerView['series'];
  figure: 'ttftP95' | 'waiting';
  label: string;
}) {
  const points = series
    .filter(p => p[figure] !== undefined)
    .map(p => ({ t: p.t, v: p[figure]! }));
  if (points.length < 2)
    return (
      <Typography variant="caption">
        Not enough samples for a chart yet.
      </Typography>
    );
  const max = Math.max(...points.map(p => p.v)) || 1;
  const t0 = points[0].t;
  const span = points[points.length - 1].t - t0 || 1;
  const d = points
    .map(
      (p, i) =>
        `${i ? 'L' : 'M'}${((p.t - t0) / span) * 300},${60 - (p.v / max) * 55}`,
    )
    .join(' ');
  return (
    <svg width="100%" viewBox="0 0 300 60" role="img" aria-label={label}>
      <path d={d} fill="none" stroke="currentColor" strokeWidth="2" />
    </svg>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Grid item xs={6} md={3}>
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography variant="h6">{value}</Typography>
    </Grid>
  );
}

/** A model server's health: requests, latencies, tokens, KV cache, its GPUs and what limits it. */
export function ModelServerCard() {
  const { entity } = useEntity();
  const api = useApi(gpuInferenceApiRef);
  const [range, setRange] = useState<'1h' | '6h' | '24h'>('1h');
  const entityRef = stringifyEntityRef(entity);
  const state = useAsyncRetry(
    () => api.getModelServer(entityRef, range),
    [entityRef, range],
  );
  useInterval(() => state.retry(), 15_000);

  let body: JSX.Element;
  if (state.error)
    body = (
      <ResponseErrorPanel error={state.error} title={errorTitle(state.error)} />
    );
  else if (!state.value) body = <Progress />;
  else if (!state.value.selector)
    body = <Alert severity="info">{state.value.verdict}</Alert>;
  else if (!state.value.figures)
    body = <PrometheusNotice prometheus={state.value.prometheus} />;
  else {
    const f = state.value.figures;
    body = (
      <>
        <Alert
          severity={
            ['healthy', 'idle'].includes(state.value.saturation)
              ? 'success'
              : 'warning'
          }
          sx={{ mb: 2 }}
        >
          {state.value.saturation}: {state.value.verdict}
        </Alert>
        <Grid container spacing={2}>
          <Figure
            label="Requests running / waiting"
            value={`${f.requestsRunning} / ${f.requestsWaiting}`}
          />
          <Figure
            label="TTFT p50 / p95"
            value={`${seconds(f.ttftP50)} / ${seconds(f.ttftP95)}`}
          />
          <Figure
            label="End-to-end p50 / p95"
            value={`${seconds(f.e2eP50)} / ${seconds(f.e2eP95)}`}
          />
          <Figure label="Inter-token p50" value={seconds(f.interTokenP50)} />
          <Figure
            label="Tokens/s prompt / generated"
            value={`${f.promptTokensPerSecond.toFixed(
              1,
            )} / ${f.generationTokensPerSecond.toFixed(1)}`}
          />
          <Figure
            label="KV cache"
            value={`${(f.kvCacheUsage * 100).toFixed(0)}%`}
          />
          <Figure label="Queue time p95" value={seconds(f.queueTimeP95)} />
        </Grid>
        <Typography variant="subtitle2" sx={{ mt: 2 }}>
          TTFT p95, last {range}
        </Typography>
        <Sparkline
          series={state.value.series}
          figure="ttftP95"
          label="TTFT p95 over time"
        />
        <Typography variant="subtitle2" sx={{ mt: 2 }}>
          Requests waiting, last {range} (peak{' '}
          {Math.max(0, ...state.value.series.map(p => p.waiting ?? 0))})
        </Typography>
        <Sparkline
          series={state.value.series}
          figure="waiting"
          label="Requests waiting over time"
        />
        <Typography variant="subtitle2" sx={{ mt: 2 }}>
          Its GPUs
        </Typography>
        {state.value.gpus.length === 0 ? (
          <Typography variant="body2">
            No GPU is allocated to its pods.
          </Typography>
        ) : (
          <GpuTable gpus={state.value.gpus} />
        )}
      </>
    );
  }
  return (
    <InfoCard
      title="Model server"
      action={
        <ToggleButtonGroup
          size="small"
          exclusive
          value={range}
          onChange={(_, v) => v && setRange(v)}
        >
          <ToggleButton value="1h">1 h</ToggleButton>
          <ToggleButton value="6h">6 h</ToggleButton>
          <ToggleButton value="24h">24 h</ToggleButton>
        </ToggleButtonGroup>
      }
    >
      {body}
    </InfoCard>
  );
}
