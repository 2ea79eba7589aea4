import { useState } from 'react';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  ClusterSummary,
  ProblemFilter,
} from '@internal/plugin-cluster-health-common';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Grid from '@mui/material/Grid';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { clusterHealthApiRef } from '../../api';
import { usePanel } from '../../hooks';
import { unreadResources } from '../../lib/freshness';
import { AlertsList } from '../AlertsList';
import { ControlPlanePanel } from '../ControlPlanePanel';
import { CoverageMatrix } from '../CoverageMatrix';
import { NodeGroupCard } from '../NodeGroupCard';
import { Panel } from '../Panel';
import { ProblemsTable } from '../ProblemsTable';
import { asLines, UnreadNotice } from '../UnreadNotice';
import { WarningEventsTable } from '../WarningEventsTable';

/** How many of the cluster's newest warning events the events panel shows. */
export const EVENT_LIMIT = 20;

/** One cluster's panels: node groups, problems (filterable), alerts, control plane, warning events and DaemonSet coverage. */
export function ClusterPanels({ cluster }: { cluster: ClusterSummary }) {
  const api = useApi(clusterHealthApiRef);
  const [filter, setFilter] = useState<ProblemFilter>({});
  const groups = usePanel(
    () => api.getNodeGroups(cluster.name),
    [cluster.name],
  );
  const coverage = usePanel(
    () => api.getDaemonSets(cluster.name),
    [cluster.name],
  );
  const problems = usePanel(
    () => api.getProblems({ ...filter, cluster: cluster.name }),
    [cluster.name, filter.namespace, filter.owner, filter.severity],
  );
  const controlPlane = usePanel(
    () => api.getControlPlane(cluster.name),
    [cluster.name],
  );
  const events = usePanel(
    () => api.getEvents(cluster.name, { limit: EVENT_LIMIT }),
    [cluster.name],
  );
  const all = usePanel(
    () => api.getProblems({ cluster: cluster.name }),
    [cluster.name],
  );
  const alerts = usePanel(async () => {
    const clusters = await api.getAlerts();
    return (
      clusters.find(c => c.cluster === cluster.name) ?? {
        cluster: cluster.name,
        status: 'not-configured' as const,
        message: `No Alertmanager for cluster ${cluster.name}: add it under clusterHealth.alertmanagers (cluster, url)`,
        alerts: [],
      }
    );
  }, [cluster.name]);
  const namespaces = [
    ...new Set((all.value ?? []).map(p => p.namespace).filter(Boolean)),
  ].sort() as string[];
  const owners = [
    ...new Set((all.value ?? []).map(p => p.ownerRef).filter(Boolean)),
  ].sort() as string[];
  const select = (
    label: string,
    key: keyof ProblemFilter,
    options: string[],
  ) => (
    <TextField
      select
      size="small"
      label={label}
      value={filter[key] ?? ''}
      onChange={e =>
        setFilter({ ...filter, [key]: e.target.value || undefined })
      }
      sx={{ minWidth: 180 }}
    >
      <MenuItem value="">all</MenuItem>
      {options.map(o => (
        <MenuItem key={o} value={o}>
          {o}
        </MenuItem>
      ))}
    </TextField>
  );

  return (
    <Stack spacing={3}>
      {cluster.status !== 'ok' && cluster.message && (
        <Alert severity={cluster.status === 'down' ? 'error' : 'warning'}>
          <AlertTitle>
            {cluster.name} is {cluster.status}
            {cluster.status === 'degraded'
              ? ': some resource types are not being read'
              : ''}
          </AlertTitle>
          {cluster.message}
        </Alert>
      )}
      <Panel state={groups}>
        {value => (
          <Grid container spacing={2}>
            {value.map(g => (
              <Grid item xs={12} md={6} key={g.name}>
                <NodeGroupCard group={g} />
              </Grid>
            ))}
          </Grid>
        )}
      </Panel>
      <InfoCard
        title="Problems"
        subheader="Click a row for its recent warning events"
      >
        <Stack direction="row" spacing={2} mb={2}>
          {select('Namespace', 'namespace', namespaces)}
          {select('Owner', 'owner', owners)}
          {select('Severity', 'severity', ['error', 'warning'])}
        </Stack>
        <Panel state={problems}>
          {value => <ProblemsTable problems={value} cluster={cluster} />}
        </Panel>
      </InfoCard>
      <InfoCard
        title="Alerts"
        subheader="Firing, silenced and inhibited alerts of the cluster's Alertmanager"
      >
        <Panel state={alerts}>{value => <AlertsList alerts={value} />}</Panel>
      </InfoCard>
      <InfoCard
        title="Control plane"
        subheader="The API server's /readyz and /livez checks, its version, and the scheduler's and controller-manager's leader Leases"
      >
        <Panel state={controlPlane}>
          {value => <ControlPlanePanel view={value} />}
        </Panel>
      </InfoCard>
      <InfoCard
        title="Recent warning events"
        subheader={`The newest ${EVENT_LIMIT} warning events of the cluster, also those that belong to no problem above`}
      >
        <Panel state={events}>
          {value => <WarningEventsTable events={value} cluster={cluster} />}
        </Panel>
      </InfoCard>
      <InfoCard
        title="DaemonSet coverage"
        subheader="Pods ready / desired per node group, and every node that misses one"
      >
        <UnreadNotice
          lines={asLines(
            unreadResources(cluster, ['daemonsets', 'nodes', 'pods']),
          )}
          what="Coverage is incomplete:"
        />
        <Panel state={coverage}>
          {value => <CoverageMatrix coverage={value} />}
        </Panel>
      </InfoCard>
    </Stack>
  );
}
