import { Config } from '@backstage/config';
import { DEFAULT_NODE_GROUP_LABELS } from './DefaultClusterCache';

/** `clusterHealth.nodeGroupLabels`: the node labels that name a node's group, tried in order. */
export function readNodeGroupLabels(config: Config): string[] {
  return (
    config.getOptionalStringArray('clusterHealth.nodeGroupLabels') ??
    DEFAULT_NODE_GROUP_LABELS
  );
}
