import {
  ConsumerGroupRef,
  KAFKA_CONSUMER_GROUPS_ANNOTATION,
  parseConsumerGroupsAnnotation,
} from '@internal/plugin-kafka-lag-common';

/** The expected shape of the annotation, as shown to users. */
export const ANNOTATION_SHAPE =
  '<cluster>/<group>[,<cluster>/<group>...], e.g. platform-kafka/webapp-consumer';

export type AnnotationReading =
  | { kind: 'missing' }
  | { kind: 'malformed'; value: string; message: string }
  | { kind: 'ok'; value: string; refs: ConsumerGroupRef[] };

/** Reads an entity's consumer-groups annotation without throwing. */
export function readConsumerGroupsAnnotation(
  annotations: Record<string, string> | undefined,
): AnnotationReading {
  const value = annotations?.[KAFKA_CONSUMER_GROUPS_ANNOTATION];
  if (value === undefined) {
    return { kind: 'missing' };
  }
  try {
    return { kind: 'ok', value, refs: parseConsumerGroupsAnnotation(value) };
  } catch (error) {
    return {
      kind: 'malformed',
      value,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}
