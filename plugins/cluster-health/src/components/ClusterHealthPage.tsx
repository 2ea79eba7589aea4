import { useState } from 'react';
import {
  Content,
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  ClusterSummary,
  CoverageGap,
  DaemonSetCoverage,
  formatBytes,
  formatCpu,
  GithubReleaseView,
  NodeGroupSummary,
  Problem,
  ProblemFilter,
  Resources,
  WarningEvent,
} from '@internal/plugin-cluster-health-common';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Grid from '@mui/material/Grid';
import LinearProgress from '@mui/material/LinearProgress';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { clusterHealthApiRef, errorTitle } from '../api';
import { entityLink, formatAge, shortRef } from './format';
import { PROBLEM_SOURCES, unreadResources } from './freshness';

const REFRESH_MS = 15_000;
const EVENT_LIMIT = 20;
const CONFIG_KEY = 'kubernetes.clusterLocatorMethods';

const STATUS_COLOR = {
  ok: 'success',
  starting: 'info',
  degraded: 'warning',
  down: 'error',
} as const;

/** Status of a cluster and how fresh its cache is, with each resource type in the tooltip. */
export function FreshnessBadge({ cluster }: { cluster: ClusterSummary }) {
  const newest = cluster.resources
    .map(r => r.lastEventAt)
    .filter(Boolean)
    .sort()
    .pop();
  const problems = cluster.resources.filter(r => r.state !== 'synced');
  const tooltip = (
    <Box>
      {cluster.resources.map(r => (
        <div key={r.resource}>
          {r.resource}: {r.state} ({r.count}){r.error ? ` — ${r.error}` : ''}
        </div>
      ))}
    </Box>
  );
  return (
    <Tooltip title={tooltip}>
      <Chip
        size="small"
        color={STATUS_COLOR[cluster.status]}
        label={`${cluster.name}: ${cluster.status}${
          newest ? `, updated ${formatAge(newest)}` : ''
        }${
          problems.length > 0
            ? `, ${problems.map(p => `${p.resource} ${p.state}`).join(', ')}`
            : ''
        }`}
      />
    </Tooltip>
  );
}

function Usage({
  label,
  used,
  total,
  format,
  of,
}: {
  label: string;
  used: number;
  total: number;
  format: (n: number) => string;
  /** What `total` is the allocatable of, e.g. "2 Ready nodes". */
  of: string;
}) {
  const share = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  return (
    <Box mb={1}>
      <Typography variant="body2">
        {label}: {format(used)} requested of {format(total)} allocatable on {of}
      </Typography>
      <LinearProgress
        variant="determinate"
        value={share}
        color={share > 90 ? 'warning' : 'primary'}
      />
    </Box>
  );
}

const headroomWords = (h: Resources) =>
  [
    `${formatCpu(h.cpuMillis)} CPU`,
    formatBytes(h.memoryBytes),
    h.gpus !== 0 ? `${h.gpus} GPU` : undefined,
  ]
    .filter(Boolean)
    .join(', ');

export function NodeGroupCard({ group }: { group: NodeGroupSummary }) {
  // The backend's allocatable counts only the nodes that take pods: Ready and not cordoned.
  const usable = group.nodes.filter(n => n.ready && !n.unschedulable).length;
  const cordoned = group.nodes.filter(n => n.ready && n.unschedulable).length;
  const of = `${usable} Ready${cordoned > 0 ? ', schedulable' : ''} node${
    usable === 1 ? '' : 's'
  }`;
  const short =
    group.headroomNMinus1.cpuMillis < 0 ||
    group.headroomNMinus1.memoryBytes < 0 ||
    group.headroomNMinus1.gpus < 0;
  return (
    <InfoCard
      title={`Node group ${group.name}`}
      subheader={`${group.instanceTypes.join(', ')} · ${group.zones.join(
        ', ',
      )}`}
    >
      <Typography variant="body1" gutterBottom>
        {group.nodes.length} nodes: {group.ready} Ready
        {group.notReady > 0 ? `, ${group.notReady} NotReady` : ''}
        {cordoned > 0 ? `, ${cordoned} cordoned` : ''}
      </Typography>
      <Usage
        label="CPU"
        used={group.requested.cpuMillis}
        total={group.allocatable.cpuMillis}
        format={formatCpu}
        of={of}
      />
      <Usage
        label="Memory"
        used={group.requested.memoryBytes}
        total={group.allocatable.memoryBytes}
        format={formatBytes}
        of={of}
      />
      {group.allocatable.gpus > 0 && (
        <Usage
          label="GPU"
          used={group.requested.gpus}
          total={group.allocatable.gpus}
          format={n => String(n)}
          of={of}
        />
      )}
      {short ? (
        <Alert severity="warning" sx={{ mt: 1 }}>
          Losing the largest node would leave{' '}
          {headroomWords(group.headroomNMinus1)}: the group cannot absorb it.
        </Alert>
      ) : (
        <Typography variant="body2" color="text.secondary">
          Headroom if the largest node is lost:{' '}
          {headroomWords(group.headroomNMinus1)}
        </Typography>
      )}
      {group.nodes
        .filter(n => !n.ready)
        .map(n => (
          <Alert key={n.name} severity="error" sx={{ mt: 1 }}>
            <AlertTitle>{n.name} is NotReady</AlertTitle>
            {n.notReadyReason}
          </Alert>
        ))}
    </InfoCard>
  );
}

const GAP_WORDS: Record<CoverageGap['reason'], string> = {
  'taint-not-tolerated': 'taint not tolerated',
  'node-selector': 'node selector / affinity',
  'pod-failing': 'pod failing',
  'pod-pending': 'pod pending',
  'not-scheduled': 'no pod',
  'node-not-ready': 'node NotReady',
};

function coverageCell(cell?: {
  nodes: number;
  desired: number;
  ready: number;
}) {
  if (!cell) return '—';
  if (cell.desired === 0) return `— of ${cell.nodes}`;
  return `${cell.ready}/${cell.desired} of ${cell.nodes}`;
}

const PHASE_COLOR: Record<string, 'error' | 'success'> = {
  Failed: 'error',
  Succeeded: 'success',
};

export function CoverageMatrix({
  coverage,
}: {
  coverage: DaemonSetCoverage[];
}) {
  const groups = [
    ...new Set(coverage.flatMap(d => Object.keys(d.byNodeGroup))),
  ].sort();
  return (
    <Table size="small" aria-label="DaemonSet coverage">
      <TableHead>
        <TableRow>
          <TableCell>DaemonSet</TableCell>
          {groups.map(g => (
            <TableCell key={g}>{g} (ready/desired of nodes)</TableCell>
          ))}
          <TableCell>Nodes missing a pod</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {coverage.map(ds => (
          <TableRow key={`${ds.namespace}/${ds.name}`}>
            <TableCell>
              {ds.name}
              <Typography
                variant="caption"
                display="block"
                color="text.secondary"
              >
                {ds.namespace}
              </Typography>
            </TableCell>
            {groups.map(g => {
              const cell = ds.byNodeGroup[g];
              const full = cell && cell.ready === cell.nodes;
              return (
                <TableCell
                  key={g}
                  sx={{
                    color: full || !cell?.desired ? undefined : 'warning.main',
                  }}
                >
                  {coverageCell(cell)}
                </TableCell>
              );
            })}
            <TableCell>
              {ds.gaps.length === 0
                ? 'none'
                : ds.gaps.map(gap => (
                    <div key={gap.node}>
                      <strong>{gap.node}</strong> ({gap.nodeGroup}):{' '}
                      {GAP_WORDS[gap.reason]} — {gap.detail}
                    </div>
                  ))}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** One line per resource type that is not read, naming why and what to grant or install. */
function UnreadNotice({
  lines,
  what,
}: {
  lines: { label: string; words: string }[];
  what: string;
}) {
  if (lines.length === 0) return null;
  return (
    <Alert severity="warning" sx={{ mb: 1 }}>
      <AlertTitle>{what}</AlertTitle>
      {lines.map(l => (
        <div key={l.label}>
          <strong>{l.label}</strong>: {l.words}
        </div>
      ))}
    </Alert>
  );
}

const asLines = (unread: ReturnType<typeof unreadResources>) =>
  unread.map(u => ({ label: u.resource, words: u.words }));

const NOWRAP = { whiteSpace: 'nowrap' } as const;
/** A link to an entity, shown as people read it, the full ref in the tooltip. */
function RefLink({ entityRef, kind }: { entityRef?: string; kind: string }) {
  if (!entityRef) return <>—</>;
  return (
    <Link to={entityLink(entityRef)} title={entityRef}>
      {shortRef(entityRef, kind)}
    </Link>
  );
}

export function ProblemsTable({
  problems,
  cluster,
}: {
  problems: Problem[];
  /** The cluster's freshness: which problem sources could not be read. */
  cluster?: Pick<ClusterSummary, 'resources'>;
}) {
  const [expanded, setExpanded] = useState<string>();
  const unread = cluster ? unreadResources(cluster, PROBLEM_SOURCES) : [];
  if (problems.length === 0) {
    if (unread.length > 0) {
      return (
        <UnreadNotice
          lines={asLines(unread)}
          what="No problems in what could be read, but not everything is read:"
        />
      );
    }
    return (
      <Typography>
        No problems match: every watched workload, node and budget is healthy.
      </Typography>
    );
  }
  return (
    <>
      <UnreadNotice
        lines={asLines(unread)}
        what="Not checked for problems (the list below may be incomplete):"
      />
      <Table size="small" aria-label="Problems">
        <TableHead>
          <TableRow>
            <TableCell>Severity</TableCell>
            <TableCell sx={NOWRAP}>Problem</TableCell>
            <TableCell>Object</TableCell>
            <TableCell>Message</TableCell>
            <TableCell>Entity</TableCell>
            <TableCell>Owner</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {problems.map(p => (
            <TableRow
              key={p.id}
              hover
              onClick={() => setExpanded(expanded === p.id ? undefined : p.id)}
            >
              <TableCell>
                <Chip
                  size="small"
                  color={p.severity === 'error' ? 'error' : 'warning'}
                  label={p.severity}
                />
              </TableCell>
              <TableCell sx={NOWRAP}>{p.kind}</TableCell>
              <TableCell sx={{ minWidth: 160 }}>
                {p.object.kind} {p.namespace ? `${p.namespace}/` : ''}
                <wbr />
                {p.object.name}
              </TableCell>
              <TableCell sx={{ minWidth: 280 }}>
                {p.message}
                {p.since && (
                  <Typography
                    variant="caption"
                    display="block"
                    color="text.secondary"
                  >
                    since {formatAge(p.since)}
                  </Typography>
                )}
                {expanded === p.id &&
                  p.events.map(e => (
                    <Typography
                      key={`${e.reason}${e.lastSeen}`}
                      variant="caption"
                      display="block"
                    >
                      {e.reason} ×{e.count}: {e.message}
                    </Typography>
                  ))}
                {expanded !== p.id && p.events.length > 0 && (
                  <Typography variant="caption" color="primary">
                    {p.events.length} recent events (click)
                  </Typography>
                )}
              </TableCell>
              <TableCell sx={{ minWidth: 140 }}>
                <RefLink entityRef={p.entityRef} kind="component" />
              </TableCell>
              <TableCell sx={{ minWidth: 140 }}>
                <RefLink entityRef={p.ownerRef} kind="group" />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}

export function ReleasesTable({
  releases,
  clusters,
}: {
  releases: GithubReleaseView[];
  /** The clusters read, for whether each could list GithubReleases at all. */
  clusters: ClusterSummary[];
}) {
  const unread = clusters.flatMap(c =>
    unreadResources(c, ['githubreleases']).map(u => ({
      label: c.name,
      words: u.words,
    })),
  );
  const notice = (
    <UnreadNotice
      lines={unread}
      what={`GithubReleases not read in ${unread.length} of ${clusters.length} clusters:`}
    />
  );
  if (releases.length === 0) {
    const read = clusters.filter(c => !unread.some(u => u.label === c.name));
    return (
      <>
        {notice}
        {read.length > 0 && (
          <Typography>
            No GithubRelease objects in {read.map(c => c.name).join(', ')}.
          </Typography>
        )}
      </>
    );
  }
  return (
    <>
      {notice}
      <Table size="small" aria-label="GitHub releases">
        <TableHead>
          <TableRow>
            <TableCell>Release</TableCell>
            <TableCell>Phase</TableCell>
            <TableCell>Producer Jobs</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {releases.map(r => (
            <TableRow key={`${r.cluster}/${r.namespace}/${r.name}`}>
              <TableCell>
                {r.url ? (
                  <Link to={r.url}>{`${r.repository} ${r.tag}`}</Link>
                ) : (
                  `${r.repository} ${r.tag}`
                )}
              </TableCell>
              <TableCell>
                <Chip
                  size="small"
                  label={r.phase}
                  color={PHASE_COLOR[r.phase] ?? 'default'}
                />
              </TableCell>
              <TableCell>
                {r.jobs.length === 0
                  ? 'none yet'
                  : r.jobs.map(j => (
                      <div key={j.name}>
                        {j.name}: {j.status}
                        {j.message ? ` — ${j.message}` : ''}
                      </div>
                    ))}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}

export function WarningEventsTable({
  events,
  cluster,
}: {
  events: WarningEvent[];
  cluster?: Pick<ClusterSummary, 'resources'>;
}) {
  const unread = cluster ? unreadResources(cluster, ['events']) : [];
  if (events.length === 0) {
    return unread.length > 0 ? (
      <UnreadNotice lines={asLines(unread)} what="Events are not read:" />
    ) : (
      <Typography>
        No warning events in the cluster's recent history.
      </Typography>
    );
  }
  return (
    <>
      <UnreadNotice lines={asLines(unread)} what="Events are not read:" />
      <Table size="small" aria-label="Recent warning events">
        <TableHead>
          <TableRow>
            <TableCell sx={NOWRAP}>Last seen</TableCell>
            <TableCell>Reason</TableCell>
            <TableCell>Object</TableCell>
            <TableCell>Message</TableCell>
            <TableCell>Entity</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {events.map((e, i) => (
            <TableRow
              key={`${e.namespace ?? ''}/${e.object.kind}/${e.object.name}/${
                e.reason
              }/${i}`}
            >
              <TableCell sx={NOWRAP}>
                {e.lastSeen ? formatAge(e.lastSeen) : '—'}
              </TableCell>
              <TableCell sx={NOWRAP}>
                {e.reason}
                {e.count > 1 ? ` ×${e.count}` : ''}
              </TableCell>
              <TableCell sx={{ minWidth: 160 }}>
                {e.object.kind} {e.namespace ? `${e.namespace}/` : ''}
                <wbr />
                {e.object.name}
              </TableCell>
              <TableCell sx={{ minWidth: 280 }}>{e.message}</TableCell>
              <TableCell sx={{ minWidth: 140 }}>
                <RefLink entityRef={e.entityRef} kind="component" />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}

/** One panel's data, with its own loading and error states (a failing panel never blanks the page). */
function usePanel<T>(load: () => Promise<T>, deps: unknown[]) {
  const state = useAsyncRetry(load, deps);
  useInterval(() => state.retry(), REFRESH_MS);
  return state;
}

function Panel<T>({
  state,
  children,
}: {
  state: { loading: boolean; error?: Error; value?: T };
  children: (value: T) => JSX.Element;
}) {
  if (state.error)
    return (
      <ResponseErrorPanel error={state.error} title={errorTitle(state.error)} />
    );
  if (state.value === undefined) return <Progress />;
  return children(state.value);
}

function ClusterPanels({ cluster }: { cluster: ClusterSummary }) {
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
  const events = usePanel(
    () => api.getEvents(cluster.name, { limit: EVENT_LIMIT }),
    [cluster.name],
  );
  const all = usePanel(
    () => api.getProblems({ cluster: cluster.name }),
    [cluster.name],
  );
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

/** One line per configured cluster (or locator method) that the portal does not read. */
function UnsupportedClusters({ clusters }: { clusters: ClusterSummary[] }) {
  if (clusters.length === 0) return null;
  return (
    <Alert severity="error">
      <AlertTitle>
        {clusters.length === 1
          ? '1 configured cluster is not read'
          : `${clusters.length} configured clusters are not read`}
      </AlertTitle>
      {clusters.map(c => (
        <div key={c.unsupported!.configKey}>
          <strong>{c.unsupported!.name ?? c.title ?? c.name}</strong>:{' '}
          {c.unsupported!.reason}
          {!c.unsupported!.reason.includes(c.unsupported!.configKey) && (
            <>
              {' '}
              (config key <code>{c.unsupported!.configKey}</code>)
            </>
          )}
        </div>
      ))}
    </Alert>
  );
}

export function ClusterHealthPage() {
  const api = useApi(clusterHealthApiRef);
  const clusters = usePanel(() => api.listClusters(), []);
  const releases = usePanel(() => api.getGithubReleases(), []);
  const [selected, setSelected] = useState<string>();

  let body: JSX.Element;
  if (clusters.error) {
    body = (
      <ResponseErrorPanel
        error={clusters.error}
        title={errorTitle(clusters.error)}
      />
    );
  } else if (!clusters.value) {
    body = <Progress />;
  } else if (clusters.value.length === 0) {
    body = (
      <EmptyState
        missing="field"
        title="No clusters configured"
        description={`List the clusters under ${CONFIG_KEY} (type "config", authProvider "serviceAccount" or "aws") in app-config.yaml; scripts/sandbox up k8s adds the sandbox's cluster.`}
      />
    );
  } else {
    // Configured clusters the portal does not read come with the reason and the key to fix.
    const read = clusters.value.filter(c => !c.unsupported);
    const notRead = (
      <UnsupportedClusters
        clusters={clusters.value.filter(c => c.unsupported)}
      />
    );
    const cluster = read.find(c => c.name === selected) ?? read[0];
    body = !cluster ? (
      notRead
    ) : (
      <Stack spacing={3}>
        {notRead}
        <Stack direction="row" spacing={1} flexWrap="wrap" alignItems="center">
          {read.map(c => (
            <Box
              key={c.name}
              onClick={() => setSelected(c.name)}
              sx={{
                cursor: 'pointer',
                opacity: c.name === cluster.name ? 1 : 0.6,
              }}
            >
              <FreshnessBadge cluster={c} />
            </Box>
          ))}
        </Stack>
        <ClusterPanels cluster={cluster} />
        <InfoCard
          title="GitHub releases"
          subheader="GithubRelease objects of the operator and the producer Jobs they started"
        >
          <Panel state={releases}>
            {value => <ReleasesTable releases={value} clusters={read} />}
          </Panel>
        </InfoCard>
      </Stack>
    );
  }
  return <Content>{body}</Content>;
}
