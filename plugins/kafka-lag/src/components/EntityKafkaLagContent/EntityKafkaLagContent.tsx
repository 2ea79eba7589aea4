import { useMemo, useState } from 'react';
import { useEntity } from '@backstage/plugin-catalog-react';
import { ConsumerGroupRef } from '@internal/plugin-kafka-lag-common';
import Stack from '@mui/material/Stack';
import { readConsumerGroupsAnnotation } from '../../lib/annotation';
import { EntityKafkaLagCard } from '../EntityKafkaLagCard';
import { GroupDetail } from '../GroupDetail';

/**
 * The entity's "Kafka lag" tab: its groups, and the detail (partitions,
 * members, history) of the selected one, the first by default.
 */
export function EntityKafkaLagContent() {
  const { entity } = useEntity();
  const annotations = entity.metadata.annotations;
  const reading = useMemo(
    () => readConsumerGroupsAnnotation(annotations),
    [annotations],
  );
  const [selected, setSelected] = useState<ConsumerGroupRef>();
  const current =
    selected ?? (reading.kind === 'ok' ? reading.refs[0] : undefined);

  return (
    <Stack spacing={3}>
      <EntityKafkaLagCard onSelect={setSelected} selected={current} />
      {current && (
        <GroupDetail
          key={`${current.cluster}/${current.group}`}
          cluster={current.cluster}
          group={current.group}
        />
      )}
    </Stack>
  );
}
