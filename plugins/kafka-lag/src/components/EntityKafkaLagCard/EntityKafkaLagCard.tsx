import { useMemo } from 'react';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  ConsumerGroupRef,
  GroupSummary,
  KAFKA_CONSUMER_GROUPS_ANNOTATION,
  LagHistoryPoint,
  ScaledObjectScaling,
  formatConsumerGroupRef,
} from '@internal/plugin-kafka-lag-common';
import { errorTitle } from '@internal/platform-react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Chip from '@mui/material/Chip';
import MuiLink from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { KafkaLagApi, kafkaLagApiRef } from '../../api';
import { StaleMark } from '../StaleMark';
import {
  ANNOTATION_SHAPE,
  readConsumerGroupsAnnotation,
} from '../../lib/annotation';
import { formatCount, formatDuration } from '../../lib/format';
import { groupSearch } from '../../lib/refs';
import { SCALING_REASONS } from '../../lib/scaling';
import { rootRouteRef } from '../../routes';
import { LagSparkline } from '../LagSparkline';
import { LagStatusChip } from '../LagStatusChip';

const SPARKLINE_WINDOW_SECONDS = 3_600;
const TITLE = 'Kafka consumer lag';

export interface EntityKafkaLagCardProps {
  /** When given, group names select a group instead of linking to the Kafka lag page. */
  onSelect?: (ref: ConsumerGroupRef) => void;
  /** The group to highlight (with onSelect). */
  selected?: ConsumerGroupRef;
}

interface CardData {
  groups: GroupSummary[];
  missing: { ref: string; reason: string }[];
  /** Last hour of total lag per `cluster/group`; absent when that request failed. */
  histories: Map<string, LagHistoryPoint[]>;
  /** The group's KEDA ScaledObjects per `cluster/group`; absent when that request failed. */
  scalings: Map<string, ScaledObjectScaling[]>;
}

async function loadCardData(
  api: KafkaLagApi,
  refs: ConsumerGroupRef[],
): Promise<CardData> {
  const { groups, missing } = await api.getGroups(refs);
  // The summaries carry no history; the sparklines come from each group's
  // detail. A failure there only costs that group its sparkline.
  const [details, autoscaling] = await Promise.all([
    Promise.allSettled(
      groups.map(g => api.getGroup(g, SPARKLINE_WINDOW_SECONDS)),
    ),
    Promise.allSettled(groups.map(g => api.getAutoscaling(g))),
  ]);
  const histories = new Map<string, LagHistoryPoint[]>();
  details.forEach((result, i) => {
    if (result.status === 'fulfilled') {
      histories.set(formatConsumerGroupRef(groups[i]), result.value.history);
    }
  });
  const scalings = new Map<string, ScaledObjectScaling[]>();
  autoscaling.forEach((result, i) => {
    if (result.status === 'fulfilled') {
      scalings.set(
        formatConsumerGroupRef(groups[i]),
        result.value.scaledObjects,
      );
    }
  });
  return { groups, missing, histories, scalings };
}

/** The group's autoscaling in a chip per ScaledObject, the whole sentence in its tooltip. */
function ScalingCell(props: { scalings?: ScaledObjectScaling[] }) {
  const { scalings } = props;
  if (!scalings) return <>—</>;
  if (scalings.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        none
      </Typography>
    );
  }
  return (
    <Stack direction="row" spacing={0.5}>
      {scalings.map(so => {
        const reason = SCALING_REASONS[so.reason];
        return (
          <Tooltip
            key={`${so.cluster}/${so.namespace}/${so.name}`}
            title={`${so.namespace}/${so.name}: ${so.sentence}`}
          >
            <Chip
              size="small"
              variant="outlined"
              color={reason.severity === 'info' ? 'default' : reason.severity}
              label={reason.label}
            />
          </Tooltip>
        );
      })}
    </Stack>
  );
}

function GroupName(props: {
  group: GroupSummary;
  onSelect?: (ref: ConsumerGroupRef) => void;
}) {
  const { group, onSelect } = props;
  const pageRoute = useRouteRef(rootRouteRef);
  const label = formatConsumerGroupRef(group);
  if (onSelect) {
    return (
      <MuiLink
        component="button"
        variant="body2"
        onClick={() => onSelect({ cluster: group.cluster, group: group.group })}
      >
        {label}
      </MuiLink>
    );
  }
  if (pageRoute) {
    return <Link to={`${pageRoute()}${groupSearch(group)}`}>{label}</Link>;
  }
  return <>{label}</>;
}

function GroupsTable(
  props: { refs: ConsumerGroupRef[] } & EntityKafkaLagCardProps,
) {
  const { refs, onSelect, selected } = props;
  const api = useApi(kafkaLagApiRef);
  const { value, loading, error } = useAsyncRetry(
    () => loadCardData(api, refs),
    [api, refs],
  );

  if (error) {
    return <ResponseErrorPanel error={error} title={errorTitle(error)} />;
  }
  if (!value) {
    return loading ? <Progress /> : null;
  }
  const selectedKey = selected && formatConsumerGroupRef(selected);
  return (
    <Stack spacing={2}>
      {value.groups.length > 0 && (
        <Table size="small" aria-label="consumer groups">
          <TableHead>
            <TableRow>
              <TableCell>Group</TableCell>
              <TableCell align="right">Total lag</TableCell>
              <TableCell align="right">Lag (time)</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Last hour</TableCell>
              <TableCell align="right">Members</TableCell>
              <TableCell>Autoscaling</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {value.groups.map(g => {
              const key = formatConsumerGroupRef(g);
              return (
                <TableRow key={key} selected={key === selectedKey}>
                  <TableCell>
                    <GroupName group={g} onSelect={onSelect} />
                    {g.stale && <StaleMark />}
                  </TableCell>
                  <TableCell align="right">{formatCount(g.totalLag)}</TableCell>
                  <TableCell align="right">
                    {g.maxLagSecondsIsLowerBound ? '≥ ' : ''}
                    {formatDuration(g.maxLagSeconds)}
                  </TableCell>
                  <TableCell>
                    <LagStatusChip status={g.status} />
                  </TableCell>
                  <TableCell>
                    <LagSparkline history={value.histories.get(key)} />
                  </TableCell>
                  <TableCell align="right">{g.memberCount}</TableCell>
                  <TableCell>
                    <ScalingCell scalings={value.scalings.get(key)} />
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {value.missing.length > 0 && (
        <Alert severity="warning">
          <AlertTitle>
            {value.missing.length === 1
              ? 'One consumer group has no figures'
              : `${value.missing.length} consumer groups have no figures`}
          </AlertTitle>
          <ul style={{ margin: 0, paddingLeft: 20 }}>
            {value.missing.map(m => (
              <li key={m.ref}>
                <strong>{m.ref}</strong>: {m.reason}
              </li>
            ))}
          </ul>
        </Alert>
      )}
    </Stack>
  );
}

/**
 * Lag of the consumer groups named in the entity's
 * `kafka.apache.org/consumer-groups` annotation.
 */
export function EntityKafkaLagCard(props: EntityKafkaLagCardProps) {
  const { entity } = useEntity();
  const annotations = entity.metadata.annotations;
  const reading = useMemo(
    () => readConsumerGroupsAnnotation(annotations),
    [annotations],
  );

  if (reading.kind === 'missing') {
    return (
      <InfoCard title={TITLE}>
        <MissingAnnotationEmptyState
          annotation={KAFKA_CONSUMER_GROUPS_ANNOTATION}
        />
      </InfoCard>
    );
  }
  if (reading.kind === 'malformed') {
    return (
      <InfoCard title={TITLE}>
        <Alert severity="error">
          <AlertTitle>
            The {KAFKA_CONSUMER_GROUPS_ANNOTATION} annotation is malformed
          </AlertTitle>
          <Typography variant="body2" gutterBottom>
            {reading.message}
          </Typography>
          <Typography variant="body2">
            Expected <code>{ANNOTATION_SHAPE}</code>; found{' '}
            <code>{JSON.stringify(reading.value)}</code>.
          </Typography>
        </Alert>
      </InfoCard>
    );
  }
  return (
    <InfoCard title={TITLE}>
      <GroupsTable
        refs={reading.refs}
        onSelect={props.onSelect}
        selected={props.selected}
      />
    </InfoCard>
  );
}
