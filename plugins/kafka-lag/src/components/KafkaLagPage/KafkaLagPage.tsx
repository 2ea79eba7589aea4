import { useMemo } from 'react';
import {
  Content,
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  ClusterOverview,
  GroupSummary,
  LAG_STATUS_SEVERITY,
} from '@internal/plugin-kafka-lag-common';
import { errorTitle } from '@internal/platform-react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useLocation, useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { kafkaLagApiRef } from '../../api';
import { StaleMark } from '../StaleMark';
import {
  formatAge,
  formatCount,
  formatDuration,
  formatTimeToDrain,
} from '../../lib/format';
import {
  GROUP_QUERY_PARAM,
  groupSearch,
  parseGroupParam,
} from '../../lib/refs';
import { REFRESH_MS } from '../../lib/refresh';
import { GroupDetail } from '../GroupDetail';
import { LagStatusChip } from '../LagStatusChip';

type GroupRow = GroupSummary & { id: string };

const nullsLow = (a: number | null, b: number | null) => (a ?? -1) - (b ?? -1);

function GroupLink(props: { row: GroupRow }) {
  const { pathname } = useLocation();
  return (
    <Link to={`${pathname}${groupSearch(props.row)}`}>{props.row.group}</Link>
  );
}

const columns: TableColumn<GroupRow>[] = [
  {
    title: 'Cluster',
    field: 'cluster',
    render: row => (
      <>
        {row.cluster}
        {row.stale && <StaleMark />}
      </>
    ),
  },
  {
    title: 'Group',
    field: 'group',
    highlight: true,
    render: row => <GroupLink row={row} />,
  },
  { title: 'State', field: 'state' },
  { title: 'Members', field: 'memberCount', type: 'numeric' },
  {
    title: 'Total lag',
    field: 'totalLag',
    type: 'numeric',
    render: row => formatCount(row.totalLag),
  },
  {
    title: 'Lag (time)',
    field: 'maxLagSeconds',
    type: 'numeric',
    render: row =>
      `${row.maxLagSecondsIsLowerBound ? '≥ ' : ''}${formatDuration(
        row.maxLagSeconds,
      )}`,
    customSort: (a, b) => nullsLow(a.maxLagSeconds, b.maxLagSeconds),
  },
  {
    title: 'Time to drain',
    field: 'timeToDrainSeconds',
    type: 'numeric',
    render: row => formatTimeToDrain(row.timeToDrainSeconds, row.totalLag),
    customSort: (a, b) => nullsLow(a.timeToDrainSeconds, b.timeToDrainSeconds),
  },
  {
    title: 'Status',
    field: 'status',
    render: row => <LagStatusChip status={row.status} />,
    customSort: (a, b) =>
      LAG_STATUS_SEVERITY[a.status] - LAG_STATUS_SEVERITY[b.status],
  },
];

/** A banner for a cluster whose latest sampling failed. */
function ClusterProblem(props: { cluster: ClusterOverview }) {
  const { cluster } = props;
  const reason = cluster.error ?? 'the reason was not reported';
  if (!cluster.lastSampleAt) {
    return (
      <Alert severity="error" data-testid={`cluster-problem-${cluster.name}`}>
        <AlertTitle>
          Kafka cluster {cluster.name} has never been sampled successfully
        </AlertTitle>
        {reason}
      </Alert>
    );
  }
  return (
    <Alert severity="warning" data-testid={`cluster-problem-${cluster.name}`}>
      <AlertTitle>
        Kafka cluster {cluster.name}: the latest sampling failed
      </AlertTitle>
      {reason}. Its figures below are from {formatAge(cluster.lastSampleAt)}{' '}
      (last good sample at {cluster.lastSampleAt}).
    </Alert>
  );
}

/** Every group of every cluster in one sortable table. */
export function ConsumerGroupsOverview() {
  const api = useApi(kafkaLagApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listClusters(),
    [api],
  );
  useInterval(retry, REFRESH_MS);

  const rows = useMemo<GroupRow[]>(
    () =>
      (value ?? [])
        .flatMap(c => c.groups)
        .map(g => ({ ...g, id: `${g.cluster}/${g.group}` }))
        .sort(
          (a, b) =>
            LAG_STATUS_SEVERITY[b.status] - LAG_STATUS_SEVERITY[a.status] ||
            nullsLow(b.maxLagSeconds, a.maxLagSeconds),
        ),
    [value],
  );

  if (error) {
    return <ResponseErrorPanel error={error} title={errorTitle(error)} />;
  }
  if (!value) {
    return loading ? <Progress /> : null;
  }
  if (value.length === 0) {
    return (
      <EmptyState
        missing="info"
        title="No Kafka clusters are configured"
        description={
          <>
            No Kafka clusters are configured: add them under{' '}
            <code>kafka.clusters</code> in app-config.yaml.
          </>
        }
      />
    );
  }

  const problems = value.filter(c => c.stale || c.error);
  return (
    <Stack spacing={2}>
      {problems.map(c => (
        <ClusterProblem key={c.name} cluster={c} />
      ))}
      <Typography variant="body2" color="text.secondary">
        {value
          .map(
            c =>
              `${c.name}: ${c.groups.length} group${
                c.groups.length === 1 ? '' : 's'
              }, sampled ${formatAge(c.lastSampleAt)}`,
          )
          .join(' · ')}
      </Typography>
      <Table<GroupRow>
        title={`Consumer groups (${rows.length})`}
        columns={columns}
        data={rows}
        options={{
          padding: 'dense',
          paging: rows.length > 50,
          pageSize: 50,
          pageSizeOptions: [50, 100, 200],
        }}
        emptyContent={
          <Box p={2}>
            <Typography>
              The configured clusters have no consumer groups yet.
            </Typography>
          </Box>
        }
      />
    </Stack>
  );
}

/**
 * The Kafka lag page: the overview table, or one group's detail when the URL
 * has `?group=<cluster>/<group>`.
 */
export function KafkaLagPage() {
  const [searchParams] = useSearchParams();
  const { pathname } = useLocation();
  const rawRef = searchParams.get(GROUP_QUERY_PARAM);
  const ref = parseGroupParam(rawRef);

  let body;
  if (ref) {
    body = (
      <GroupDetail
        key={`${ref.cluster}/${ref.group}`}
        cluster={ref.cluster}
        group={ref.group}
        backLink={<Link to={pathname}>← All consumer groups</Link>}
      />
    );
  } else if (rawRef) {
    body = (
      <Stack spacing={2}>
        <Alert severity="error">
          “{rawRef}” is not a consumer group reference: expected
          ?group=&lt;cluster&gt;/&lt;group&gt;.
        </Alert>
        <Link to={pathname}>← All consumer groups</Link>
      </Stack>
    );
  } else {
    body = <ConsumerGroupsOverview />;
  }
  return <Content>{body}</Content>;
}
