import {
  Content,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { errorTitle } from '@internal/platform-react';
import Alert from '@mui/material/Alert';
import Stack from '@mui/material/Stack';
import { useFleet } from '../../hooks';
import { CapacityTable } from '../CapacityTable';
import { ClusterNotices } from '../ClusterNotices';
import { FitCheck } from '../FitCheck';
import { GpuTable } from '../GpuTable';
import { IdleGpus } from '../IdleGpus';
import { PrometheusNotice } from '../PrometheusNotice';

/** The GPU inference page: capacity and what fits now, allocated but idle GPUs, and every GPU's figures. */
export function GpuInferencePage() {
  const fleet = useFleet();

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
            <CapacityTable capacity={view.capacity} notCurrent={notCurrent} />
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
          <PrometheusNotice prometheus={view.prometheus}>
            <IdleGpus waste={view.waste} />
          </PrometheusNotice>
        </InfoCard>
        <InfoCard
          title="GPUs"
          subheader={`DCGM figures (${view.queries} PromQL queries for this view)`}
        >
          <PrometheusNotice prometheus={view.prometheus}>
            <GpuTable gpus={view.gpus} />
          </PrometheusNotice>
        </InfoCard>
      </Stack>
    </Content>
  );
}
