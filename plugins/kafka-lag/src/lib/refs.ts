import {
  ConsumerGroupRef,
  formatConsumerGroupRef,
} from '@internal/plugin-kafka-lag-common';

/** Query parameter of the Kafka lag page that opens one group's detail. */
export const GROUP_QUERY_PARAM = 'group';

/**
 * Reads the page's `?group=<cluster>/<group>` value. Cluster names cannot
 * contain '/', so the first '/' separates the two; an empty side gives
 * undefined.
 */
export function parseGroupParam(
  value: string | null | undefined,
): ConsumerGroupRef | undefined {
  if (!value) {
    return undefined;
  }
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) {
    return undefined;
  }
  return { cluster: value.slice(0, slash), group: value.slice(slash + 1) };
}

/** The query string (with '?') that opens a group's detail on the page. */
export function groupSearch(ref: ConsumerGroupRef): string {
  return `?${new URLSearchParams({
    [GROUP_QUERY_PARAM]: formatConsumerGroupRef(ref),
  })}`;
}
