import {
  ClusterOverview,
  ConsumerGroupRef,
  GroupDetail,
  GroupMember,
  GroupSummary,
  LagHistoryPoint,
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
  getGroups(refs: ConsumerGroupRef[]): Promise<{
    groups: GroupSummary[];
    missing: { ref: string; reason: string }[];
  }>;
  /** Samples one cluster now (what the scheduled task runs). */
  sample(cluster: string): Promise<void>;
}

export interface LagStore {
  saveSample(
    cluster: string,
    snapshot: ClusterSnapshot,
    summaries: GroupSummary[],
  ): Promise<void>;
  loadSnapshots(cluster: string, since: number): Promise<ClusterSnapshot[]>;
  loadHistory(
    cluster: string,
    group: string,
    since: number,
  ): Promise<LagHistoryPoint[]>;
  prune(snapshotsBefore: number, historyBefore: number): Promise<void>;
}
