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
import {
  ClusterSampleState,
  ClusterSnapshot,
  KafkaLagService,
  LagStore,
} from './types';

/** What a replica knows of a cluster: read from the database, never only from its own samples. */
interface ClusterView {
  /** Snapshots within the snapshot retention up to the latest in the database, oldest first. */
  snapshots: ClusterSnapshot[];
  /** Every group of the latest snapshot, evaluated. */
  summaries: GroupSummary[];
  /** The same evaluations with their partitions, by group: what a group's page shows. */
  evaluations: Map<string, Evaluation>;
  /** The last sampling's error, as the database has it. */
  error?: string;
}

interface ClusterState {
  /** Connects (lazily) only on the replica that runs the cluster's sampling task. */
  sampler: KafkaSampler;
  view: ClusterView;
  /** Updates of the view, one at a time. */
  queue: Promise<unknown>;
}

/** Figures of one group evaluated at the latest snapshot of its cluster. */
interface Evaluation {
  summary: GroupSummary;
  partitions: PartitionLag[];
  members: GroupDetail['members'];
}

type EndHistories = Map<
  string,
  Map<number, { at: number; endOffset: number }[]>
>;

/** Every partition's (time, end offset) history over the snapshots, oldest first. */
function endHistoriesOf(snapshots: ClusterSnapshot[]): EndHistories {
  const histories: EndHistories = new Map();
  for (const s of snapshots) {
    for (const [topic, partitions] of Object.entries(s.topics)) {
      let byPartition = histories.get(topic);
      if (!byPartition) {
        byPartition = new Map();
        histories.set(topic, byPartition);
      }
      for (const [p, [endOffset]] of Object.entries(partitions)) {
        const partition = Number(p);
        let history = byPartition.get(partition);
        if (!history) {
          history = [];
          byPartition.set(partition, history);
        }
        history.push({ at: s.at, endOffset });
      }
    }
  }
  return histories;
}

const emptyView = (): ClusterView => ({
  snapshots: [],
  summaries: [],
  evaluations: new Map(),
});

/** The most points a group's history has, whatever its window (see getGroup). */
export const HISTORY_POINTS = 360;
/** Group pages kept in memory between two samples (see DefaultKafkaLagService.details). */
const DETAILS_KEPT = 200;

/**
 * How long a replica reuses the clusters' sampling state before asking the database
 * again; a new snapshot is then loaded once and evaluated once.
 */
const STATE_TTL_MS = 1000;

/**
 * Lag figures from the plugin's database. The sampling of a cluster is a global
 * scheduled task, so one replica at a time samples it and writes snapshot, history
 * and the cluster's state; every replica (the sampling one included) serves what the
 * database holds, keeping the snapshot window in memory and loading only what is new,
 * so every replica answers the same figures.
 */
export class DefaultKafkaLagService implements KafkaLagService {
  static async create(options: {
    config: KafkaLagConfig;
    store: LagStore;
    logger: LoggerService;
  }): Promise<DefaultKafkaLagService> {
    return new DefaultKafkaLagService(options);
  }

  private readonly clusters = new Map<string, ClusterState>();
  private readonly config: KafkaLagConfig;
  private readonly store: LagStore;
  private readonly logger: LoggerService;
  private states?: {
    at: number;
    value: Promise<Map<string, ClusterSampleState>>;
  };
  /**
   * Group pages (getGroup) per group and window, each for the evaluation it was made
   * from: a page changes only with a new sample, so the pages that poll one group, and
   * the users who look at it, share one answer until then. Oldest first, at most
   * DETAILS_KEPT.
   */
  private readonly details = new Map<
    string,
    { evaluation: Evaluation; detail: Promise<GroupDetail> }
  >();

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
        view: emptyView(),
        queue: Promise.resolve(),
      });
    }
  }

  /** Closes the admin connections (on the replica that sampled). */
  async close(): Promise<void> {
    await Promise.all([...this.clusters.values()].map(s => s.sampler.close()));
  }

  async sample(cluster: string): Promise<void> {
    const state = this.stateOf(cluster);
    let snapshot: ClusterSnapshot;
    try {
      snapshot = await this.snapshotWithin(state);
    } catch (error) {
      const message = `${(error as Error).message ?? error}`;
      this.logger.warn('sampling kafka cluster failed', {
        cluster,
        error: message,
      });
      await this.store.saveFailure(cluster, Date.now(), message);
      this.states = undefined;
      return;
    }
    await this.serialized(state, async () => {
      try {
        // Another replica may have sampled since this one last looked.
        const dbState = (await this.store.loadStates()).get(cluster);
        await this.sync(cluster, state, dbState);
        const view = state.view;
        view.snapshots.push(snapshot);
        // In time order even if another replica's sample were newer (two samplers at once).
        view.snapshots.sort((a, b) => a.at - b.at);
        this.pruneView(view, view.snapshots[view.snapshots.length - 1].at);
        view.error = undefined;
        view.summaries = this.evaluateAll(cluster, view);
        await this.store.saveSample(cluster, snapshot, view.summaries);
        await this.store.prune(cluster, {
          snapshotsBefore: snapshot.at - this.config.snapshotRetentionMs,
          historyBefore: snapshot.at - this.config.historyRetentionMs,
          groupSamplesToKeep: this.config.statusWindow,
        });
      } catch (error) {
        // Whatever was half done in memory is read again from the database.
        state.view = emptyView();
        throw error;
      } finally {
        this.states = undefined;
      }
    });
  }

  /**
   * The sampler's snapshot, given up on after kafkaLag.sampleTimeoutSeconds. kafkajs bounds
   * each request, but a refresh that still never settles would hold the scheduled task (the
   * scheduler only signals its timeout) and the cluster would never be sampled again.
   */
  private async snapshotWithin(state: ClusterState): Promise<ClusterSnapshot> {
    const seconds = this.config.sampleTimeoutSeconds;
    const givenUp = new AbortController();
    const snapshot = state.sampler.snapshot(givenUp.signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>(resolve => {
      timer = setTimeout(() => resolve('late'), seconds * 1000);
    });
    try {
      const first = await Promise.race([snapshot, late]);
      if (first !== 'late') return first;
    } finally {
      clearTimeout(timer);
    }
    // The abandoned refresh fails on the dropped connections and tries no more.
    givenUp.abort();
    snapshot.catch(() => undefined);
    await state.sampler.close();
    throw new Error(
      `no snapshot within ${seconds} s (kafkaLag.sampleTimeoutSeconds); the connections were dropped and the next sample reconnects`,
    );
  }

  async listClusters(): Promise<ClusterOverview[]> {
    const states = await this.loadStates();
    return Promise.all(
      [...this.clusters.keys()].map(async name => {
        const view = await this.view(name, states);
        const latest = view.snapshots[view.snapshots.length - 1];
        return {
          name,
          lastSampleAt: latest ? new Date(latest.at).toISOString() : null,
          ...(view.error ? { error: view.error } : {}),
          stale: Boolean(view.error),
          groups: view.summaries,
        };
      }),
    );
  }

  async getGroup(
    ref: ConsumerGroupRef,
    windowSeconds: number,
  ): Promise<GroupDetail> {
    const evaluation = await this.evaluated(ref);
    const key = `${ref.cluster}\u0000${ref.group}\u0000${windowSeconds}`;
    const kept = this.details.get(key);
    if (kept?.evaluation === evaluation) return kept.detail;

    const { summary, partitions, members } = evaluation;
    // Only up to the snapshot the figures are of: every replica answers the same.
    const until = Date.parse(summary.sampledAt);
    // A day at 15 s is 5,760 samples: more points than a chart is wide, and most of the
    // response. A window with more than HISTORY_POINTS samples comes in steps.
    const detail = this.store
      .loadHistory(ref.cluster, ref.group, {
        since: until - windowSeconds * 1000,
        until,
        maxPoints: HISTORY_POINTS,
      })
      .then(history => ({ ...summary, members, partitions, history }));
    this.details.delete(key);
    this.details.set(key, { evaluation, detail });
    detail.catch(() => {
      if (this.details.get(key)?.detail === detail) this.details.delete(key);
    });
    while (this.details.size > DETAILS_KEPT) {
      this.details.delete(this.details.keys().next().value!);
    }
    return detail;
  }

  async getPartitions(ref: ConsumerGroupRef): Promise<PartitionLag[]> {
    return (await this.evaluated(ref)).partitions;
  }

  /** The group as the latest snapshot evaluates it (throws why when it cannot be). */
  private async evaluated(ref: ConsumerGroupRef) {
    const view = await this.view(ref.cluster);
    return view.evaluations.get(ref.group) ?? this.evaluate(ref, view);
  }

  async getGroups(refs: ConsumerGroupRef[]) {
    const groups: GroupSummary[] = [];
    const missing: { ref: string; reason: string }[] = [];
    const states = await this.loadStates();
    for (const ref of refs) {
      try {
        const view = await this.view(ref.cluster, states);
        const summary = view.summaries.find(s => s.group === ref.group);
        // Not in the summaries: evaluating throws why (not sampled yet, no such group).
        groups.push(summary ?? this.evaluate(ref, view).summary);
      } catch (error) {
        missing.push({
          ref: formatConsumerGroupRef(ref),
          reason: (error as Error).message,
        });
      }
    }
    return { groups, missing };
  }

  /** Every cluster's sampling state, from the database at most STATE_TTL_MS ago. */
  private loadStates(): Promise<Map<string, ClusterSampleState>> {
    const now = Date.now();
    if (!this.states || now - this.states.at > STATE_TTL_MS) {
      const value = this.store.loadStates();
      const entry = { at: now, value };
      this.states = entry;
      value.catch(() => {
        if (this.states === entry) this.states = undefined;
      });
    }
    return this.states.value;
  }

  /** The cluster's view, brought up to the database's latest snapshot. */
  private async view(
    cluster: string,
    states?: Map<string, ClusterSampleState>,
  ): Promise<ClusterView> {
    const state = this.stateOf(cluster);
    const dbState = (states ?? (await this.loadStates())).get(cluster);
    await this.serialized(state, () => this.sync(cluster, state, dbState));
    return state.view;
  }

  private serialized<T>(state: ClusterState, fn: () => Promise<T>): Promise<T> {
    const run = state.queue.then(fn, fn);
    state.queue = run.catch(() => undefined);
    return run;
  }

  /** Loads the snapshots newer than the view's latest, up to the database's latest. */
  private async sync(
    cluster: string,
    state: ClusterState,
    dbState: ClusterSampleState | undefined,
  ) {
    const view = state.view;
    const latestAt = view.snapshots[view.snapshots.length - 1]?.at;
    const wanted = dbState?.sampledAt ?? null;
    let changed = false;
    if (wanted !== null && (latestAt === undefined || wanted > latestAt)) {
      const since = wanted - this.config.snapshotRetentionMs;
      const fresh = await this.store.loadSnapshots(
        cluster,
        latestAt === undefined ? since : Math.max(since, latestAt + 1),
        wanted,
      );
      view.snapshots.push(...fresh);
      this.pruneView(view, wanted);
      changed = fresh.length > 0;
    }
    if (changed || view.error !== dbState?.error) {
      view.error = dbState?.error;
      view.summaries = this.evaluateAll(cluster, view);
    }
  }

  /**
   * Drops snapshots older than the retention before `latestAt`, keeping at least one, and
   * the groups of all but the last statusWindow snapshots: what the database keeps too.
   */
  private pruneView(view: ClusterView, latestAt: number) {
    const cutoff = latestAt - this.config.snapshotRetentionMs;
    while (view.snapshots.length > 1 && view.snapshots[0].at < cutoff) {
      view.snapshots.shift();
    }
    const keepFrom = view.snapshots.length - this.config.statusWindow;
    for (let i = keepFrom - 1; i >= 0 && view.snapshots[i].groups.length; i--) {
      view.snapshots[i] = { ...view.snapshots[i], groups: [] };
    }
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

  /** Evaluates every group of the latest snapshot into view.evaluations; the summaries. */
  private evaluateAll(cluster: string, view: ClusterView): GroupSummary[] {
    view.evaluations = new Map();
    const latest = view.snapshots[view.snapshots.length - 1];
    if (!latest) return [];
    const endHistories = endHistoriesOf(view.snapshots);
    return latest.groups.map(g => {
      const evaluation = this.evaluate(
        { cluster, group: g.group },
        view,
        endHistories,
      );
      view.evaluations.set(g.group, evaluation);
      return evaluation.summary;
    });
  }

  /** The latest snapshot and the group in it, or the error that says why not. */
  private latestGroup(ref: ConsumerGroupRef, view: ClusterView) {
    const latest = view.snapshots[view.snapshots.length - 1];
    if (!latest) {
      throw new ServiceUnavailableError(
        `Kafka cluster '${ref.cluster}' has not been sampled yet${
          view.error
            ? `: ${view.error}. Check kafka.clusters[].brokers for '${ref.cluster}'.`
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

  private evaluate(
    ref: ConsumerGroupRef,
    view: ClusterView,
    endHistories = endHistoriesOf(view.snapshots),
  ): Evaluation {
    const { latest, group } = this.latestGroup(ref, view);
    const window = view.snapshots.slice(-this.config.statusWindow);
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
        const endHistory = endHistories.get(topic)?.get(partition) ?? [];
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
        stale: Boolean(view.error),
      },
    };
  }
}
