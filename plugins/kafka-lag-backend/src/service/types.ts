import {
  ClusterOverview,
  ConsumerGroupRef,
  GroupDetail,
  GroupMember,
  GroupSummary,
  LagHistoryPoint,
  PartitionLag,
} from '@internal/plugin-kafka-lag-common';

/** What one sampling of a cluster saw. Plain JSON: it is stored as is. */
export interface ClusterSnapshot {
  at: number;
  /** topic → partition → [high watermark, log start offset] */
  topics: Record<string, Record<number, [number, number]>>;
  groups: GroupSnapshot[];
}

export interface GroupSnapshot {
  group: string;
  state: string;
  members: GroupMember[];
  /** topic → partition → committed offset (absent: never committed) */
  commits: Record<string, Record<number, number>>;
}

export interface KafkaLagService {
  listClusters(): Promise<ClusterOverview[]>;
  getGroup(ref: ConsumerGroupRef, windowSeconds: number): Promise<GroupDetail>;
  /** The group's partitions as last evaluated: getGroup without the history read. */
  getPartitions(ref: ConsumerGroupRef): Promise<PartitionLag[]>;
  getGroups(refs: ConsumerGroupRef[]): Promise<{
    groups: GroupSummary[];
    missing: { ref: string; reason: string }[];
  }>;
  /** Samples one cluster now (what the scheduled task runs). */
  sample(cluster: string): Promise<void>;
}

/** A cluster's sampling state as every replica reads it from the database. */
export interface ClusterSampleState {
  /** The latest successful snapshot's time (ms since the epoch); null: never sampled. */
  sampledAt: number | null;
  /** The last attempt's time, successful or not. */
  attemptedAt: number;
  /** The last attempt's error; undefined when it succeeded. */
  error?: string;
}

export interface LagStore {
  /** Stores a snapshot, its groups' history rows and the cluster's state (no error). */
  saveSample(
    cluster: string,
    snapshot: ClusterSnapshot,
    summaries: GroupSummary[],
  ): Promise<void>;
  /** Records a failed sampling: the cluster keeps its last snapshot, now stale. */
  saveFailure(cluster: string, at: number, error: string): Promise<void>;
  /** Every cluster's sampling state. */
  loadStates(): Promise<Map<string, ClusterSampleState>>;
  /**
   * Snapshots of a cluster with `since <= at <= until`, oldest first; groups only in the
   * samples whose committed offsets are still kept (see prune).
   */
  loadSnapshots(
    cluster: string,
    since: number,
    until?: number,
  ): Promise<ClusterSnapshot[]>;
  /**
   * A group's history from `since` to `until`, oldest first. When the range holds more
   * than `maxPoints` samples, one point per step of `(until - since) / maxPoints`: the
   * step's highest total lag and highest lag in seconds, at its last sample's time, so
   * that no spike disappears.
   */
  loadHistory(
    cluster: string,
    group: string,
    range: { since: number; until: number; maxPoints?: number },
  ): Promise<LagHistoryPoint[]>;
  /**
   * Retention of one cluster: topic offsets and samples older than snapshotsBefore, the
   * groups' committed offsets of all but the last groupSamplesToKeep samples, history
   * rows older than historyBefore.
   */
  prune(
    cluster: string,
    options: {
      snapshotsBefore: number;
      historyBefore: number;
      groupSamplesToKeep: number;
    },
  ): Promise<void>;
}
