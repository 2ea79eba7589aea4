import { ReactNode, useMemo, useState } from 'react';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  GroupMember,
  LAG_STATUS_SEVERITY,
  PartitionLag,
} from '@internal/plugin-kafka-lag-common';
import { errorTitle } from '@internal/platform-react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Grid from '@mui/material/Grid';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { kafkaLagApiRef } from '../../api';
import {
  formatAge,
  formatCount,
  formatDuration,
  formatTimeToDrain,
} from '../../lib/format';
import { REFRESH_MS } from '../../lib/refresh';
import { AutoscalingPanel } from '../AutoscalingPanel';
import { Figure } from '../Figure';
import { LagHistoryChart } from '../LagHistoryChart';
import { LagStatusChip } from '../LagStatusChip';

/** History windows offered above the chart, in seconds. */
export const HISTORY_WINDOWS = [
  { label: '1 h', seconds: 3_600 },
  { label: '6 h', seconds: 21_600 },
  { label: '24 h', seconds: 86_400 },
];

export interface GroupDetailProps {
  cluster: string;
  group: string;
  /** Rendered above the title, e.g. a link back to the list. */
  backLink?: ReactNode;
}

/**
 * A member id (`<client-id>-<uuid>`) on one line: monospace, cut with an ellipsis, the whole
 * id in the tooltip. Wrapped, each one took five lines.
 */
export function MemberId({ id }: { id?: string }) {
  if (!id) return <>—</>;
  return (
    <Box
      component="span"
      title={id}
      sx={{
        display: 'inline-block',
        maxWidth: 220,
        overflow: 'hidden',
        textOverflow: 'ellipsis',
        whiteSpace: 'nowrap',
        verticalAlign: 'bottom',
        fontFamily: 'monospace',
        fontSize: '0.85em',
      }}
    >
      {id}
    </Box>
  );
}

const formatLagSeconds = (p: PartitionLag) =>
  p.lagSeconds === null
    ? '—'
    : `${p.lagSecondsIsLowerBound ? '≥ ' : ''}${formatDuration(p.lagSeconds)}`;

const nullsFirst = (a: number | null, b: number | null) =>
  (a ?? -1) - (b ?? -1);

const partitionColumns: TableColumn<PartitionLag>[] = [
  { title: 'Topic', field: 'topic' },
  { title: 'Partition', field: 'partition', type: 'numeric' },
  {
    title: 'End offset',
    field: 'endOffset',
    type: 'numeric',
    render: p => formatCount(p.endOffset),
  },
  {
    title: 'Committed',
    field: 'committedOffset',
    type: 'numeric',
    render: p =>
      p.committedOffset === null ? 'never' : formatCount(p.committedOffset),
    customSort: (a, b) => nullsFirst(a.committedOffset, b.committedOffset),
  },
  {
    title: 'Lag',
    field: 'lag',
    type: 'numeric',
    render: p => formatCount(p.lag),
    customSort: (a, b) => nullsFirst(a.lag, b.lag),
  },
  {
    title: 'Lag (time)',
    field: 'lagSeconds',
    type: 'numeric',
    render: formatLagSeconds,
    customSort: (a, b) => nullsFirst(a.lagSeconds, b.lagSeconds),
  },
  {
    title: 'Status',
    field: 'status',
    render: p => <LagStatusChip status={p.status} />,
    customSort: (a, b) =>
      LAG_STATUS_SEVERITY[a.status] - LAG_STATUS_SEVERITY[b.status],
  },
  {
    title: 'Flags',
    sorting: false,
    render: p => (
      <Stack direction="row" spacing={0.5}>
        {p.neverCommitted && (
          <Chip size="small" variant="outlined" label="never committed" />
        )}
        {p.belowLogStart && (
          <Chip
            size="small"
            color="error"
            variant="outlined"
            label="below log start (data skipped)"
          />
        )}
      </Stack>
    ),
  },
  {
    title: 'Member',
    field: 'memberId',
    render: p => <MemberId id={p.memberId} />,
  },
];

const memberColumns: TableColumn<GroupMember>[] = [
  {
    title: 'Member',
    field: 'memberId',
    render: m => <MemberId id={m.memberId} />,
  },
  { title: 'Client', field: 'clientId' },
  { title: 'Host', field: 'host' },
  {
    title: 'Assignments',
    sorting: false,
    render: m =>
      m.assignments.length === 0
        ? 'none'
        : m.assignments
            .map(a => `${a.topic}: ${a.partitions.join(', ')}`)
            .join('; '),
  },
];

/** One consumer group: figures, history chart, autoscaling, partitions and members. */
export function GroupDetail(props: GroupDetailProps) {
  const { cluster, group, backLink } = props;
  const api = useApi(kafkaLagApiRef);
  const [windowSeconds, setWindowSeconds] = useState(
    HISTORY_WINDOWS[0].seconds,
  );
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getGroup({ cluster, group }, windowSeconds),
    [api, cluster, group, windowSeconds],
  );
  useInterval(retry, REFRESH_MS);
  // material-table writes into its rows, so it gets copies; memoised so that
  // re-renders keep its sorting.
  const partitions = useMemo(
    () =>
      [...(value?.partitions ?? [])]
        .sort(
          (a, b) =>
            LAG_STATUS_SEVERITY[b.status] - LAG_STATUS_SEVERITY[a.status] ||
            (b.lag ?? -1) - (a.lag ?? -1),
        )
        .map(p => ({ ...p })),
    [value],
  );
  const members = useMemo(
    () => (value?.members ?? []).map(m => ({ ...m })),
    [value],
  );

  let body: ReactNode;
  if (error) {
    body = <ResponseErrorPanel error={error} title={errorTitle(error)} />;
  } else if (!value) {
    body = loading ? <Progress /> : null;
  } else {
    const worstLagIsLowerBound = value.partitions.some(
      p => p.lagSecondsIsLowerBound && p.lagSeconds === value.maxLagSeconds,
    );
    body = (
      <Stack spacing={3}>
        {loading && <LinearProgress aria-label="Reloading" />}
        {value.stale && (
          <Alert severity="warning">
            The latest sampling of cluster {cluster} failed; these figures are
            from {formatAge(value.sampledAt)}.
          </Alert>
        )}
        <Grid container spacing={2}>
          <Figure label="Status">
            <LagStatusChip status={value.status} size="medium" />
          </Figure>
          <Figure label="State">{value.state}</Figure>
          <Figure label="Members">{value.memberCount}</Figure>
          <Figure label="Total lag">{formatCount(value.totalLag)}</Figure>
          <Figure label="Lag (time)">
            {worstLagIsLowerBound ? '≥ ' : ''}
            {formatDuration(value.maxLagSeconds)}
          </Figure>
          <Figure label="Time to drain">
            {formatTimeToDrain(value.timeToDrainSeconds, value.totalLag)}
          </Figure>
        </Grid>
        <Typography variant="body2" color="text.secondary">
          Topics: {value.topics.join(', ') || 'none'} · sampled{' '}
          {formatAge(value.sampledAt)}
          {value.neverCommittedPartitions > 0 &&
            ` · ${value.neverCommittedPartitions} partition(s) never committed`}
        </Typography>
        <InfoCard
          title="History"
          action={
            <ToggleButtonGroup
              size="small"
              exclusive
              value={windowSeconds}
              onChange={(_e, next: number | null) => {
                if (next !== null) setWindowSeconds(next);
              }}
              aria-label="history window"
            >
              {HISTORY_WINDOWS.map(w => (
                <ToggleButton key={w.seconds} value={w.seconds}>
                  {w.label}
                </ToggleButton>
              ))}
            </ToggleButtonGroup>
          }
        >
          <LagHistoryChart history={value.history} />
        </InfoCard>
        <AutoscalingPanel cluster={cluster} group={group} />
        <Table<PartitionLag>
          title={`Partitions (${value.partitions.length})`}
          columns={partitionColumns}
          data={partitions}
          options={{
            padding: 'dense',
            paging: partitions.length > 50,
            pageSize: 50,
            search: partitions.length > 10,
          }}
          emptyContent={
            <Box p={2}>
              <Typography>The group has no partitions.</Typography>
            </Box>
          }
        />
        <Table<GroupMember>
          title={`Members (${value.members.length})`}
          columns={memberColumns}
          data={members}
          options={{ padding: 'dense', paging: false, search: false }}
          emptyContent={
            <Box p={2}>
              <Typography>No members are connected to this group.</Typography>
            </Box>
          }
        />
      </Stack>
    );
  }

  return (
    <Stack spacing={2}>
      {backLink}
      <Typography variant="h5" component="h2">
        {group}{' '}
        <Typography component="span" variant="subtitle1" color="text.secondary">
          on {cluster}
        </Typography>
      </Typography>
      {body}
    </Stack>
  );
}
