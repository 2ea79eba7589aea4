import { ConsumerGroupRef } from './types';

/** Entity annotation listing the consumer groups of a component (community Kafka plugin's shape). */
export const KAFKA_CONSUMER_GROUPS_ANNOTATION =
  'kafka.apache.org/consumer-groups';

const NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Parses `<cluster>/<group>[,<cluster>/<group>...]`. Throws an Error whose message
 * says which entry is wrong and what shape is expected.
 */
export function parseConsumerGroupsAnnotation(
  value: string | undefined,
): ConsumerGroupRef[] {
  if (value === undefined || value.trim() === '') {
    throw new Error(
      `The ${KAFKA_CONSUMER_GROUPS_ANNOTATION} annotation is empty; expected <cluster>/<group>[,<cluster>/<group>...]`,
    );
  }
  return value.split(',').map(entry => {
    const parts = entry.trim().split('/');
    if (parts.length !== 2 || !NAME.test(parts[0]) || !NAME.test(parts[1])) {
      throw new Error(
        `"${entry.trim()}" in the ${KAFKA_CONSUMER_GROUPS_ANNOTATION} annotation is not <cluster>/<group>` +
          ` (names of letters, digits, '.', '_' and '-'), e.g. platform-kafka/webapp-consumer`,
      );
    }
    return { cluster: parts[0], group: parts[1] };
  });
}

export const formatConsumerGroupRef = (ref: ConsumerGroupRef) =>
  `${ref.cluster}/${ref.group}`;
