import { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import {
  ClusterOverview,
  ConsumerGroupRef,
  GroupDetail,
  GroupSummary,
  PartitionLag,
  formatConsumerGroupRef,
} from '@internal/plugin-kafka-lag-common';
import { KafkaLagConfig } from '../config';
import {
  PartitionSample,
  effectiveLag,
  lagSeconds,
  partitionStatus,
  timeToDrain,
  worstStatus,
} from './evaluate';
import { KafkaSampler } from './KafkaSampler';
import { ClusterSnapshot, KafkaLagService, LagStore } from './types';

interface ClusterState {
  sampler: KafkaSampler;
  /** Snapshots within the snapshot retention, oldest first. */
  snapshots: ClusterSnapshot[];
  summaries: GroupSummary[];
  error?: string;
}

/** Figures of one group evaluated at the latest snapshot of its cluster. */
interface Evaluation {
  summary: GroupSummary;
  partitions: PartitionLag[];
  members: GroupDetail['members'];
}

export class DefaultKafkaLagService implements KafkaLagService {
  static async create(options: {
    config: KafkaLagConfig;
    store: LagStore;
    logger: LoggerService;
  }): Promise<DefaultKafkaLagService> {
    const service = new DefaultKafkaLagService(options);
    await service.restore();
    return service;
  }

  private readonly clusters = new Map<string, ClusterState>();
  private readonly config: KafkaLagConfig;
  private readonly store: LagStore;
  private readonly logger: LoggerService;

  private constructor(options: {
    config: KafkaLagConfig;
    store: LagStore;
    logger: LoggerService;
  }) {
    this.config = options.config;
    this.store = options.store;
    this.logger = options.logger;
    for (const cluster of options.config.clusters) {
      this.clusters.set(cluster.name, {
        sampler: new KafkaSampler(cluster, options.logger),
        snapshots: [],
        summaries: [],
      });
    }
  }

  /** Reloads the snapshots of the retention window, so a restart keeps history. */
  private async restore() {
    const since = Date.now() - this.config.snapshotRetentionMs;
    for (const [name, state] of this.clusters) {
      state.snapshots = await this.store.loadSnapshots(name, since);
      state.summaries = this.evaluateAll(name, state);
    }
  }

  async sample(cluster: string): Promise<void> {
    const state = this.stateOf(cluster);
    try {
      const snapshot = await state.sampler.snapshot();
      state.snapshots.push(snapshot);
      const cutoff = snapshot.at - this.config.snapshotRetentionMs;
      while (state.snapshots.length > 1 && state.snapshots[0].at < cutoff) {
        state.snapshots.shift();
      }
      state.summaries = this.evaluateAll(cluster, state);
      state.error = undefined;
      await this.store.saveSample(cluster, snapshot, state.summaries);
      await this.store.prune(
        cutoff,
        snapshot.at - this.config.historyRetentionMs,
      );
    } catch (error) {
      state.error = `${(error as Error).message ?? error}`;
      state.summaries = state.summaries.map(s => ({ ...s, stale: true }));
      this.logger.warn('sampling kafka cluster failed', {
        cluster,
        error: state.error,
      });
    }
  }

  async listClusters(): Promise<ClusterOverview[]> {
    return [...this.clusters].map(([name, state]) => {
      const latest = state.snapshots[state.snapshots.length - 1];
      return {
        name,
        lastSampleAt: latest ? new Date(latest.at).toISOString() : null,
        ...(state.error ? { error: state.error } : {}),
        stale: Boolean(state.error),
        groups: state.summaries,
      };
    });
  }

  async getGroup(
    ref: ConsumerGroupRef,
    windowSeconds: number,
  ): Promise<GroupDetail> {
    const { summary, partitions, members } = this.evaluate(
      ref,
      this.stateOf(ref.cluster),
    );
    const history = await this.store.loadHistory(
      ref.cluster,
      ref.group,
      Date.parse(summary.sampledAt) - windowSeconds * 1000,
    );
    return { ...summary, members, partitions, history };
  }

  async getGroups(refs: ConsumerGroupRef[]) {
    const groups: GroupSummary[] = [];
    const missing: { ref: string; reason: string }[] = [];
    for (const ref of refs) {
      try {
        const state = this.stateOf(ref.cluster);
        const summary = state.summaries.find(s => s.group === ref.group);
        // Not in the summaries: evaluating throws why (not sampled yet, no such group).
        groups.push(summary ?? this.evaluate(ref, state).summary);
      } catch (error) {
        missing.push({
          ref: formatConsumerGroupRef(ref),
          reason: (error as Error).message,
        });
      }
    }
    return { groups, missing };
  }

  private stateOf(cluster: string): ClusterState {
    const state = this.clusters.get(cluster);
    if (!state) {
      const known = [...this.clusters.keys()];
      throw new NotFoundError(
        `Unknown Kafka cluster '${cluster}'. Clusters are configured under kafka.clusters ${
          known.length
            ? `(configured: ${known.join(', ')})`
            : '(none configured)'
        }`,
      );
    }
    return state;
  }

  private evaluateAll(cluster: string, state: ClusterState): GroupSummary[] {
    const latest = state.snapshots[state.snapshots.length - 1];
    if (!latest) return [];
    return latest.groups.map(
      g => this.evaluate({ cluster, group: g.group }, state).summary,
    );
  }

  /** The latest snapshot and the group in it, or the error that says why not. */
  private latestGroup(ref: ConsumerGroupRef, state: ClusterState) {
    const latest = state.snapshots[state.snapshots.length - 1];
    if (!latest) {
      throw new ServiceUnavailableError(
        `Kafka cluster '${ref.cluster}' has not been sampled yet${
          state.error
            ? `: ${state.error}. Check kafka.clusters[].brokers for '${ref.cluster}'.`
            : '; figures appear within kafkaLag.sampleIntervalSeconds.'
        }`,
      );
    }
    const group = latest.groups.find(g => g.group === ref.group);
    if (!group) {
      throw new NotFoundError(
        `No consumer group '${ref.group}' on Kafka cluster '${ref.cluster}'`,
      );
    }
    return { latest, group };
  }

  private evaluate(ref: ConsumerGroupRef, state: ClusterState): Evaluation {
    const { latest, group } = this.latestGroup(ref, state);
    const window = state.snapshots.slice(-this.config.statusWindow);
    const windowGroups = window.map(s => ({
      snapshot: s,
      group: s.groups.find(x => x.group === ref.group),
    }));
    const hasMembers = group.members.length > 0;
    const owner = new Map<string, string>();
    for (const m of group.members) {
      for (const a of m.assignments) {
        for (const p of a.partitions) owner.set(`${a.topic}/${p}`, m.memberId);
      }
    }
    const firstInWindow = windowGroups.find(w => w.group)?.group;
    const groupProgressing =
      firstInWindow !== undefined &&
      Object.entries(group.commits).some(([topic, partitions]) =>
        Object.entries(partitions).some(
          ([p, offset]) => firstInWindow.commits[topic]?.[Number(p)] !== offset,
        ),
      );
    const topics = new Set(Object.keys(group.commits));
    group.members.forEach(m => m.assignments.forEach(a => topics.add(a.topic)));

    const partitions: PartitionLag[] = [];
    let drainFirst = { at: window[0].at, committed: 0, endOffset: 0 };
    let drainLast = { at: latest.at, committed: 0, endOffset: 0 };
    for (const topic of [...topics].sort()) {
      const ends = latest.topics[topic];
      if (!ends) continue;
      for (const [partitionKey, [endOffset, logStartOffset]] of Object.entries(
        ends,
      )) {
        const partition = Number(partitionKey);
        const committed = group.commits[topic]?.[partition] ?? null;
        const samples: PartitionSample[] = windowGroups.flatMap(w => {
          const end = w.snapshot.topics[topic]?.[partition];
          if (!w.group || !end) return [];
          return [
            {
              at: w.snapshot.at,
              endOffset: end[0],
              committed: w.group.commits[topic]?.[partition] ?? null,
            },
          ];
        });
        const endHistory = state.snapshots.flatMap(s => {
          const end = s.topics[topic]?.[partition];
          return end ? [{ at: s.at, endOffset: end[0] }] : [];
        });
        const seconds =
          committed === null
            ? null
            : lagSeconds(endHistory, committed, latest.at);
        const first = samples[0];
        if (first && first.committed !== null && committed !== null) {
          drainFirst = {
            at: first.at,
            committed: drainFirst.committed + first.committed,
            endOffset: drainFirst.endOffset + first.endOffset,
          };
          drainLast = {
            at: latest.at,
            committed: drainLast.committed + committed,
            endOffset: drainLast.endOffset + endOffset,
          };
        }
        partitions.push({
          topic,
          partition,
          endOffset,
          logStartOffset,
          committedOffset: committed,
          lag: effectiveLag({ at: latest.at, endOffset, committed }),
          lagSeconds: seconds ? seconds.seconds : null,
          lagSecondsIsLowerBound: seconds?.lowerBound ?? false,
          status: partitionStatus(samples, hasMembers, groupProgressing),
          neverCommitted: committed === null,
          belowLogStart: committed !== null && committed < logStartOffset,
          memberId: owner.get(`${topic}/${partition}`),
        });
      }
    }
    partitions.sort(
      (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition,
    );
    const totalLag = partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0);
    const secondsKnown = partitions
      .map(p => p.lagSeconds)
      .filter((s): s is number => s !== null);
    const maxLagSeconds = secondsKnown.length
      ? Math.max(...secondsKnown)
      : null;
    return {
      partitions,
      members: group.members,
      summary: {
        cluster: ref.cluster,
        group: ref.group,
        state: group.state,
        memberCount: group.members.length,
        topics: [...topics].sort(),
        totalLag,
        maxLagSeconds,
        maxLagSecondsIsLowerBound: partitions.some(
          p => p.lagSecondsIsLowerBound && p.lagSeconds === maxLagSeconds,
        ),
        status: worstStatus(partitions.map(p => p.status)),
        timeToDrainSeconds: timeToDrain(totalLag, drainFirst, drainLast),
        neverCommittedPartitions: partitions.filter(p => p.neverCommitted)
          .length,
        sampledAt: new Date(latest.at).toISOString(),
        stale: Boolean(state.error),
      },
    };
  }
}
