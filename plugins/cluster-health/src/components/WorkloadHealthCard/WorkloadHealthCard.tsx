import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Alert from '@mui/material/Alert';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { errorTitle } from '@internal/platform-react';
import { clusterHealthApiRef } from '../../api';
import { usePanel } from '../../hooks';
import { rootRouteRef } from '../../routes';
import { WorkloadRow } from '../WorkloadRow';

/** Workload health of the entity's Kubernetes workloads (backstage.io/kubernetes-id). */
export function WorkloadHealthCard() {
  const { entity } = useEntity();
  const api = useApi(clusterHealthApiRef);
  const pageLink = useRouteRef(rootRouteRef);
  const entityRef = stringifyEntityRef(entity);
  const state = usePanel(() => api.getEntityWorkloads(entityRef), [entityRef]);

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
