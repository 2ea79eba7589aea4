import { ReactNode } from 'react';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type {
  ScaledObjectScaling,
  ScalingCondition,
} from '@internal/plugin-kafka-lag-common';
import { errorTitle } from '@internal/platform-react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Chip from '@mui/material/Chip';
import Grid from '@mui/material/Grid';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { kafkaLagApiRef } from '../../api';
import { formatCount } from '../../lib/format';
import { REFRESH_MS } from '../../lib/refresh';
import { SCALING_REASONS } from '../../lib/scaling';
import { Figure } from '../Figure';

/** A condition as a chip: filled when True, its reason and message in the tooltip. */
function ConditionChip({ condition }: { condition: ScalingCondition }) {
  const detail = [condition.reason, condition.message]
    .filter(Boolean)
    .join(': ');
  const isTrue = condition.status === 'True';
  let color: 'default' | 'success' | 'warning' = 'success';
  if (condition.status === 'Unknown') color = 'default';
  // Active False is no fault: an idle group is inactive.
  else if (condition.type === 'Active') color = isTrue ? 'success' : 'default';
  // A True Fallback, Paused or ScalingLimited, or a False Ready / ScalingActive / AbleToScale.
  else if (
    ['Fallback', 'Paused', 'ScalingLimited'].includes(condition.type) === isTrue
  )
    color = 'warning';
  return (
    <Tooltip title={detail || 'no reason given'}>
      <Chip
        size="small"
        variant={isTrue ? 'filled' : 'outlined'}
        color={color}
        label={`${condition.type}: ${condition.status}`}
      />
    </Tooltip>
  );
}

function Conditions(props: { label: string; conditions: ScalingCondition[] }) {
  return (
    <Stack
      direction="row"
      spacing={1}
      alignItems="center"
      flexWrap="wrap"
      useFlexGap
    >
      <Typography variant="body2" color="text.secondary">
        {props.label}
      </Typography>
      {props.conditions.length === 0 ? (
        <Typography variant="body2">none written yet</Typography>
      ) : (
        props.conditions.map(c => <ConditionChip key={c.type} condition={c} />)
      )}
    </Stack>
  );
}

/** One ScaledObject: the binding reason in a sentence, then the figures behind it. */
export function ScaledObjectExplanation({ so }: { so: ScaledObjectScaling }) {
  const reason = SCALING_REASONS[so.reason];
  const t = so.trigger;
  const current = so.replicas ?? so.hpa?.currentReplicas;
  return (
    <Stack spacing={2}>
      <Alert severity={reason.severity}>
        <AlertTitle>{reason.label}</AlertTitle>
        {so.sentence}
      </Alert>
      <Grid container spacing={2}>
        <Figure
          compact
          label="Lag (as KEDA counts it)"
          hint={`threshold ${formatCount(t.lagThreshold)} per replica × ${
            current ?? '?'
          } = ${
            current === undefined ? '?' : formatCount(t.lagThreshold * current)
          }`}
        >
          {formatCount(so.lag)}
        </Figure>
        <Figure
          compact
          label="Replicas"
          hint={`the lag asks for ${so.lagAsks}; expected ${so.expectedReplicas}`}
        >
          {current ?? 'unknown'}
        </Figure>
        <Figure
          compact
          label="Min / max"
          hint={
            so.idleReplicas === undefined
              ? undefined
              : `idle at ${so.idleReplicas}`
          }
        >
          {so.minReplicas} / {so.maxReplicas}
        </Figure>
        <Figure
          compact
          label="Partitions"
          hint={
            t.allowIdleConsumers && !t.limitToPartitionsWithLag
              ? 'allowIdleConsumers: may scale past them'
              : `${so.partitionsWithLag} with lag; KEDA scales no further${
                  t.limitToPartitionsWithLag ? ' than those' : ''
                }`
          }
        >
          {so.partitions}
        </Figure>
        <Figure
          compact
          label="HPA desired / current"
          hint={so.hpa ? so.hpa.name : 'no HPA in the cluster'}
        >
          {so.hpa
            ? `${so.hpa.desiredReplicas} / ${so.hpa.currentReplicas}`
            : '—'}
        </Figure>
        <Figure
          compact
          label="Activation threshold"
          hint={so.active ? 'active: the lag is above it' : 'inactive'}
        >
          {formatCount(t.activationLagThreshold)}
        </Figure>
        <Figure
          compact
          label="Cooldown"
          hint={`polled every ${so.pollingIntervalSeconds} s`}
        >
          {so.cooldownPeriodSeconds} s
        </Figure>
        <Figure
          compact
          label="Trigger"
          hint={`offsetResetPolicy ${t.offsetResetPolicy}`}
        >
          {t.topic ?? 'every topic of the group'}
        </Figure>
      </Grid>
      <Conditions label="ScaledObject" conditions={so.conditions} />
      {so.hpa && <Conditions label="HPA" conditions={so.hpa.conditions} />}
    </Stack>
  );
}

export interface AutoscalingPanelProps {
  cluster: string;
  group: string;
}

/**
 * "Why isn't it scaling?": each KEDA ScaledObject whose kafka trigger names the group, with
 * the one reason that holds its replica count where it is.
 */
export function AutoscalingPanel(props: AutoscalingPanelProps) {
  const { cluster, group } = props;
  const api = useApi(kafkaLagApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getAutoscaling({ cluster, group }),
    [api, cluster, group],
  );
  useInterval(retry, REFRESH_MS);

  let body: ReactNode;
  if (error) {
    body = <ResponseErrorPanel error={error} title={errorTitle(error)} />;
  } else if (!value) {
    body = loading ? <Progress /> : null;
  } else {
    body = (
      <Stack spacing={3}>
        {value.notices.map(n => (
          <Alert key={n} severity="info">
            {n}
          </Alert>
        ))}
        {value.scaledObjects.length === 0 && (
          <Typography variant="body2">
            No KEDA ScaledObject scales on this group: none has a kafka trigger
            whose consumerGroup is <code>{group}</code>.
          </Typography>
        )}
        {value.scaledObjects.map(so => (
          <Stack key={`${so.cluster}/${so.namespace}/${so.name}`} spacing={1}>
            <Typography variant="subtitle1" component="h3">
              ScaledObject {so.namespace}/{so.name}{' '}
              <Typography
                component="span"
                variant="body2"
                color="text.secondary"
              >
                on {so.cluster}, scaling {so.target.kind} {so.target.name}
              </Typography>
            </Typography>
            <ScaledObjectExplanation so={so} />
          </Stack>
        ))}
      </Stack>
    );
  }
  return <InfoCard title="Autoscaling (KEDA)">{body}</InfoCard>;
}
