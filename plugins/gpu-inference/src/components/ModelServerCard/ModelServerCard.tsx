import { useState } from 'react';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { ModelServerRange } from '@internal/plugin-gpu-inference-common';
import { errorTitle } from '@internal/platform-react';
import Alert from '@mui/material/Alert';
import Grid from '@mui/material/Grid';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useModelServer } from '../../hooks';
import { seconds } from '../../lib/format';
import { Figure } from '../Figure';
import { GpuTable } from '../GpuTable';
import { PrometheusNotice } from '../PrometheusNotice';
import { Sparkline } from '../Sparkline';

/** A model server's health: requests, latencies, tokens, KV cache, its GPUs and what limits it. */
export function ModelServerCard() {
  const { entity } = useEntity();
  const [range, setRange] = useState<ModelServerRange>('1h');
  const entityRef = stringifyEntityRef(entity);
  const state = useModelServer(entityRef, range);

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
