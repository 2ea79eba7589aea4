import type {
  ClusterCache,
  ClusterView,
} from '@internal/plugin-cluster-health-node';
import type {
  ConsumerGroupRef,
  GroupScaling,
  ScaledObjectScaling,
} from '@internal/plugin-kafka-lag-common';
import type { KafkaClusterConfig } from '../config';
import { explainScaling, kafkaTriggers, KafkaTrigger } from './autoscaling';
import type { KafkaLagService } from './types';

/**
 * The ScaledObjects of every Kubernetes cluster the portal reads whose kafka trigger is
 * for a consumer group, each explained beside the group's sampled lag.
 *
 * A trigger is the group's when its `consumerGroup` is the group's name and, when the portal
 * knows more than one Kafka cluster, one of its `bootstrapServers` is one of that cluster's
 * `brokers` (with a single cluster, in-cluster names such as `kafka-bootstrap.kafka:9092`
 * cannot be told apart from it and are taken as its own). A trigger with a `topic` only counts
 * that topic's partitions.
 */
export class GroupScalingReader {
  constructor(
    private readonly deps: {
      cache: ClusterCache;
      kafkaClusters: KafkaClusterConfig[];
      lag: KafkaLagService;
      now?: () => number;
    },
  ) {}

  async get(ref: ConsumerGroupRef): Promise<GroupScaling> {
    // Throws NotFoundError for an unknown cluster or group, as the group's own route does.
    const partitions = await this.deps.lag.getPartitions(ref);
    const now = (this.deps.now ?? Date.now)();
    const notices: string[] = [];
    const views = this.deps.cache.clusters();
    if (views.length === 0) {
      notices.push(
        'No Kubernetes cluster is configured (kubernetes.clusterLocatorMethods), so no KEDA ScaledObject can be read.',
      );
    }
    const scaledObjects: ScaledObjectScaling[] = [];
    for (const view of views) {
      notices.push(...unreadable(view));
      const hpas = new Map(
        view
          .list('horizontalpodautoscalers')
          .map(h => [`${h.namespace}/${h.name}`, h]),
      );
      for (const so of view.list('scaledobjects')) {
        for (const trigger of kafkaTriggers(so)) {
          if (!this.isGroups(trigger, ref)) continue;
          const hpaName = so.hpaName ?? `keda-hpa-${so.name}`;
          const hpa = hpas.get(`${so.namespace}/${hpaName}`);
          scaledObjects.push(
            explainScaling({
              cluster: view.name,
              scaledObject: so,
              trigger,
              partitions,
              hpa,
              replicas: targetReplicas(view, so.namespace, so.target),
              now,
            }),
          );
        }
      }
    }
    return { cluster: ref.cluster, group: ref.group, scaledObjects, notices };
  }

  private isGroups(trigger: KafkaTrigger, ref: ConsumerGroupRef): boolean {
    if (trigger.consumerGroup !== ref.group) return false;
    const clusters = this.deps.kafkaClusters;
    if (clusters.length <= 1) return true;
    const brokers = clusters.find(c => c.name === ref.cluster)?.kafka.brokers;
    return (
      Array.isArray(brokers) &&
      trigger.bootstrapServers.some(server => brokers.includes(server))
    );
  }
}

function targetReplicas(
  view: ClusterView,
  namespace: string,
  target: { kind?: string; name: string },
): number | null {
  const resource =
    target.kind === 'StatefulSet' ? 'statefulsets' : 'deployments';
  const workload = view
    .list(resource)
    .find(w => w.namespace === namespace && w.name === target.name);
  return workload ? workload.desired : null;
}

/** What keeps the answer for one cluster incomplete, with what to change. */
function unreadable(view: ClusterView): string[] {
  const notices: string[] = [];
  for (const f of view.freshness()) {
    if (
      f.resource !== 'scaledobjects' &&
      f.resource !== 'horizontalpodautoscalers'
    )
      continue;
    const what =
      f.resource === 'scaledobjects'
        ? 'KEDA ScaledObjects (keda.sh)'
        : 'HorizontalPodAutoscalers (autoscaling)';
    if (f.state === 'not-installed') {
      notices.push(
        `${view.name}: KEDA is not installed (the API server does not serve scaledobjects.keda.sh).`,
      );
    } else if (f.state === 'forbidden') {
      notices.push(
        `${
          view.name
        }: the portal may not read ${what}; grant get, list, watch on ${
          f.resource
        } to its identity (${
          view.configKey ?? 'kubernetes.clusterLocatorMethods'
        }).`,
      );
    } else if (f.state === 'error' || f.state === 'syncing') {
      notices.push(
        `${view.name}: ${what} ${
          f.state === 'syncing'
            ? 'are still being read'
            : `unreadable: ${f.error}`
        }.`,
      );
    }
  }
  return notices;
}
