import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { WorkloadSummary } from '@internal/plugin-cluster-health-common';
import Alert from '@mui/material/Alert';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { clusterHealthApiRef, errorTitle } from '../api';
import { rootRouteRef } from '../routes';

const ROLLOUT_COLOR = {
  complete: 'success',
  progressing: 'info',
  stalled: 'error',
  'scaled-down': 'default',
} as const;

function Workload({ w }: { w: WorkloadSummary }) {
  const failing = w.pods.filter(p => !p.ready && p.reason);
  return (
    <div>
      <Stack direction="row" spacing={1} alignItems="center">
        <Typography variant="subtitle2">
          {w.kind} {w.namespace}/{w.name}
        </Typography>
        <Chip size="small" color={ROLLOUT_COLOR[w.rollout]} label={w.rollout} />
        <Typography variant="body2">
          {w.ready}/{w.desired} ready
          {w.restarts > 0 ? `, ${w.restarts} restarts` : ''}
        </Typography>
      </Stack>
      {w.message && (
        <Typography variant="body2" color="text.secondary">
          {w.message}
        </Typography>
      )}
      {failing.map(p => (
        <Typography key={p.name} variant="caption" display="block">
          {p.name}: {p.reason}
        </Typography>
      ))}
    </div>
  );
}

/** Workload health of the entity's Kubernetes workloads (backstage.io/kubernetes-id). */
export function WorkloadHealthCard() {
  const { entity } = useEntity();
  const api = useApi(clusterHealthApiRef);
  const pageLink = useRouteRef(rootRouteRef);
  const entityRef = stringifyEntityRef(entity);
  const state = useAsyncRetry(
    () => api.getEntityWorkloads(entityRef),
    [entityRef],
  );
  useInterval(() => state.retry(), 15_000);

  let body: JSX.Element;
  if (state.error) {
    body = (
      <ResponseErrorPanel error={state.error} title={errorTitle(state.error)} />
    );
  } else if (!state.value) {
    body = <Progress />;
  } else if (state.value.clusters.length === 0) {
    body = (
      <Typography>
        No clusters configured: list them under
        kubernetes.clusterLocatorMethods.
      </Typography>
    );
  } else {
    body = (
      <Stack spacing={2}>
        {state.value.clusters.map(c => (
          <div key={c.cluster}>
            <Typography variant="subtitle1">{c.cluster}</Typography>
            {c.status !== 'ok' && c.message && (
              <Alert severity={c.status === 'down' ? 'error' : 'warning'}>
                {c.message}
              </Alert>
            )}
            {c.workloads.length === 0 ? (
              <Typography variant="body2">
                No workload labelled backstage.io/kubernetes-id=
                {state.value!.kubernetesId}
                {state.value!.namespace ? ` in ${state.value!.namespace}` : ''}.
              </Typography>
            ) : (
              c.workloads.map(w => (
                <Workload key={`${w.kind}/${w.namespace}/${w.name}`} w={w} />
              ))
            )}
            {c.problems.map(p => (
              <Alert key={p.id} severity={p.severity} sx={{ mt: 1 }}>
                {p.kind}: {p.object.name} — {p.message}
              </Alert>
            ))}
          </div>
        ))}
      </Stack>
    );
  }
  const link = pageLink?.();
  return (
    <InfoCard
      title="Workload health"
      deepLink={link ? { title: 'Cluster health', link } : undefined}
    >
      {body}
    </InfoCard>
  );
}
