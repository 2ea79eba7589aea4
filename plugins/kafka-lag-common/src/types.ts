/**
 * Health of a consumer group partition, after Burrow's evaluation of the last
 * commits (https://github.com/linkedin/Burrow/wiki/Consumer-Lag-Evaluation-Rules):
 *
 * - OK: caught up, or committing and not falling behind;
 * - WARNING: committing, but the lag grew over the whole window;
 * - STALLED: members are connected, the committed offset does not move, lag > 0;
 * - STOPPED: no members and no commits while behind;
 * - REWINDING: the committed offset went backwards;
 * - UNKNOWN: never committed, or not enough samples yet.
 */
export type LagStatus =
  | 'OK'
  | 'WARNING'
  | 'STALLED'
  | 'STOPPED'
  | 'REWINDING'
  | 'UNKNOWN';

/** Worst first; a group takes the worst status of its partitions. */
export const LAG_STATUS_SEVERITY: Record<LagStatus, number> = {
  UNKNOWN: 0,
  OK: 1,
  WARNING: 2,
  STALLED: 3,
  STOPPED: 4,
  REWINDING: 5,
};

/** A `<cluster>/<group>` pair, as in the `kafka.apache.org/consumer-groups` annotation. */
export interface ConsumerGroupRef {
  cluster: string;
  group: string;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** High watermark (next offset to be written). */
  endOffset: number;
  /** Oldest offset still in the log. */
  logStartOffset: number;
  /** null when the group never committed on this partition. */
  committedOffset: number | null;
  /** Messages behind; null when never committed. */
  lag: number | null;
  /** How long ago the next unconsumed message was written; null when unknown. */
  lagSeconds: number | null;
  /** true when lagSeconds is a lower bound (the message is older than the stored history). */
  lagSecondsIsLowerBound: boolean;
  status: LagStatus;
  neverCommitted: boolean;
  /** The committed offset is below the log start: messages were deleted unread. */
  belowLogStart: boolean;
  /** Member consuming the partition now, if any. */
  memberId?: string;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  assignments: { topic: string; partitions: number[] }[];
}

export interface GroupSummary {
  cluster: string;
  group: string;
  /** Kafka's group state: Stable, Empty, PreparingRebalance, Dead, ... */
  state: string;
  memberCount: number;
  topics: string[];
  totalLag: number;
  maxLagSeconds: number | null;
  /** true when maxLagSeconds is a lower bound (older than the stored history). */
  maxLagSecondsIsLowerBound: boolean;
  status: LagStatus;
  /** Seconds to reach zero lag at the current net consumption rate; null when not draining. */
  timeToDrainSeconds: number | null;
  neverCommittedPartitions: number;
  /** When the figures were sampled (ISO 8601). */
  sampledAt: string;
  /** true when the latest sampling of the cluster failed and these are the last good figures. */
  stale: boolean;
}

export interface LagHistoryPoint {
  /** ISO 8601 */
  at: string;
  totalLag: number;
  maxLagSeconds: number | null;
}

export interface GroupDetail extends GroupSummary {
  members: GroupMember[];
  partitions: PartitionLag[];
  history: LagHistoryPoint[];
}

export interface ClusterOverview {
  name: string;
  /** Last successful sample (ISO 8601), if any. */
  lastSampleAt: string | null;
  /** The last sampling's error, when it failed. */
  error?: string;
  stale: boolean;
  groups: GroupSummary[];
}
