import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { ClusterAlerts } from '@internal/plugin-cluster-health-common';
import Alert from '@mui/material/Alert';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { errorTitle } from '@internal/platform-react';
import { clusterHealthApiRef } from '../../api';
import { usePanel } from '../../hooks';
import { rootRouteRef } from '../../routes';
import { AlertsList } from '../AlertsList';
import { WorkloadRow } from '../WorkloadRow';

/** The entity's alerts in one cluster, or why they cannot be shown. */
function ClusterAlertsSection(props: {
  cluster: string;
  alerts?: ClusterAlerts;
  error?: Error;
}) {
  let body: JSX.Element;
  if (props.error) {
    body = (
      <ResponseErrorPanel error={props.error} title={errorTitle(props.error)} />
    );
  } else if (!props.alerts) {
    body = <Progress />;
  } else {
    body = <AlertsList alerts={props.alerts} />;
  }
  return (
    <Stack spacing={1} mt={2} aria-label={`alerts in ${props.cluster}`}>
      <Typography variant="subtitle2">Alerts</Typography>
      {body}
    </Stack>
  );
}

/**
 * Workload health of the entity's Kubernetes workloads (backstage.io/kubernetes-id), with the
 * alerts of those workloads (and of its ml-platform.io/alert-selector) per cluster.
 */
export function WorkloadHealthCard() {
  const { entity } = useEntity();
  const api = useApi(clusterHealthApiRef);
  const pageLink = useRouteRef(rootRouteRef);
  const entityRef = stringifyEntityRef(entity);
  const state = usePanel(() => api.getEntityWorkloads(entityRef), [entityRef]);
  // Their own request: an Alertmanager that is down costs the card its alerts only.
  const alerts = usePanel(() => api.getEntityAlerts(entityRef), [entityRef]);
  const alertsOf = (cluster: string) =>
    alerts.value?.clusters.find(c => c.cluster === cluster);

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
                {state.value!.namespace ? ` in ${state.value!.namespace}` : ''}
                {state.value!.cluster
                  ? ` in cluster ${state.value!.cluster}`
                  : ''}
                .
              </Typography>
            ) : (
              c.workloads.map(w => (
                <WorkloadRow key={`${w.kind}/${w.namespace}/${w.name}`} w={w} />
              ))
            )}
            {c.problems.map(p => (
              <Alert key={p.id} severity={p.severity} sx={{ mt: 1 }}>
                {p.kind}: {p.object.name} — {p.message}
              </Alert>
            ))}
            <ClusterAlertsSection
              cluster={c.cluster}
              alerts={alertsOf(c.cluster)}
              error={alerts.error}
            />
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
