import { LoggerService } from '@backstage/backend-plugin-api';
import { GroupMember } from '@internal/plugin-kafka-lag-common';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { KafkaClusterConfig } from '../config';
import {
  GroupOffsets,
  OFFSET_FETCH_API_KEY,
  OFFSET_FETCH_BATCH_VERSION,
  offsetFetchV8Request,
} from './offsetFetchV8';
import { ClusterSnapshot, GroupSnapshot } from './types';

/* eslint-disable @backstage/no-undeclared-imports */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const InstrumentationEventEmitter = require('kafkajs/src/instrumentation/emitter');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const {
  NETWORK_REQUEST,
} = require('kafkajs/src/network/instrumentationEvents');

function decodeMembers(
  members: {
    memberId: string;
    clientId: string;
    clientHost: string;
    memberAssignment: Buffer;
  }[],
): GroupMember[] {
  return members.map(m => {
    let assignments: GroupMember['assignments'] = [];
    try {
      const decoded = AssignerProtocol.MemberAssignment.decode(
        m.memberAssignment,
      );
      assignments = Object.entries(decoded?.assignment ?? {}).map(
        ([topic, partitions]) => ({
          topic,
          partitions: [...partitions].sort((a, b) => a - b),
        }),
      );
    } catch {
      // Not a consumer-protocol assignment (e.g. Kafka Connect): no partitions to show.
    }
    return {
      memberId: m.memberId,
      clientId: m.clientId,
      host: m.clientHost,
      assignments,
    };
  });
}

/** The kafkajs Cluster that `Kafka#admin()` builds (internal to kafkajs 2.2.4, pinned). */
function createCluster(kafka: Kafka, instrumentationEmitter: unknown): any {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    s => s.description === 'private:Kafka:createCluster',
  );
  if (!symbol) {
    throw new Error(
      'kafkajs internals changed: the Kafka lag sampler needs kafkajs 2.2.4',
    );
  }
  return (kafka as any)[symbol]({
    allowAutoTopicCreation: false,
    instrumentationEmitter,
  });
}

/** Attempts of one refresh; between two, metadata is read again (a broker went away). */
const ATTEMPTS = 3;

/**
 * Takes offset snapshots of one cluster through one long-lived set of broker connections,
 * with requests batched per broker: one Metadata request (brokers, topics, leaders), per
 * broker one ListGroups (the groups it coordinates), per coordinator one DescribeGroups
 * and one OffsetFetch v8 for all of its groups, per partition leader one ListOffsets for
 * the end offsets and one for the start offsets of every topic the groups read. So a
 * refresh costs 1 + 6 x brokers requests at most, whatever the number of groups and
 * topics (kafkajs's admin API costs two requests per group and seven per topic). Brokers
 * older than Kafka 3.0 (no OffsetFetch v8) get one OffsetFetch per group.
 * Never commits anything.
 */
export class KafkaSampler {
  private cluster?: any;
  private readonly instrumentation = new InstrumentationEventEmitter();

  constructor(
    private readonly config: KafkaClusterConfig,
    private readonly logger: LoggerService,
  ) {}

  /** Calls `listener` for every request sent to Kafka (what the benchmark counts). */
  onRequest(listener: () => void): () => void {
    return this.instrumentation.addListener(NETWORK_REQUEST, listener);
  }

  /** One refresh, tried up to ATTEMPTS times; no further attempt once `signal` aborts. */
  async snapshot(signal?: AbortSignal): Promise<ClusterSnapshot> {
    for (let attempt = 1; ; attempt++) {
      const cluster = await this.connect();
      try {
        return await this.read(cluster);
      } catch (error) {
        // Start afresh: the connection may be what failed (only this attempt's: a
        // snapshot given up on may fail after a newer one connected).
        await this.close(cluster);
        if (attempt >= ATTEMPTS || signal?.aborted) throw error;
        this.logger.debug('sampling kafka cluster failed, trying again', {
          cluster: this.config.name,
          error: `${(error as Error).message ?? error}`,
        });
        await new Promise(r => setTimeout(r, 300 * attempt));
      }
    }
  }

  /** Drops the connections (or only `which`'s, if they are still the current ones). */
  async close(which?: unknown): Promise<void> {
    const cluster = this.cluster;
    if (which !== undefined && which !== cluster) return;
    this.cluster = undefined;
    await cluster?.disconnect().catch(() => {});
  }

  private async connect(): Promise<any> {
    if (!this.cluster) {
      const kafka = new Kafka({
        ...this.config.kafka,
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3000,
        requestTimeout: 10000,
        retry: { retries: 2, initialRetryTime: 300 },
      });
      const cluster = createCluster(kafka, this.instrumentation);
      await cluster.connect();
      this.cluster = cluster;
    }
    return this.cluster;
  }

  private async read(cluster: any): Promise<ClusterSnapshot> {
    const at = Date.now();
    // Every topic (empty list: all), the brokers, the partitions' leaders.
    await cluster.refreshMetadata();
    const metadataAt = Date.now();
    /** topic → its partitions' leaders (node id → partitions) */
    const existing = new Map<string, Map<string, number[]>>();
    for (const t of cluster.brokerPool.metadata.topicMetadata) {
      const byLeader = new Map<string, number[]>();
      for (const p of t.partitionMetadata) {
        const leader = String(p.leader);
        const list = byLeader.get(leader);
        if (list) list.push(p.partitionId);
        else byLeader.set(leader, [p.partitionId]);
      }
      existing.set(t.topic, byLeader);
    }
    // A broker lists the groups it coordinates.
    const coordinators = await Promise.all(
      cluster.getNodeIds().map(async (nodeId: string) => {
        const broker = await cluster.findBroker({ nodeId });
        const { groups } = await broker.listGroups();
        const ids: string[] = groups
          .filter(
            (g: any) => g.protocolType === 'consumer' || g.protocolType === '',
          )
          .map((g: any) => g.groupId as string)
          .sort();
        return { broker, ids };
      }),
    );
    const perCoordinator = await Promise.all(
      coordinators
        .filter(c => c.ids.length > 0)
        .map(async ({ broker, ids }) => {
          const [described, offsets] = await Promise.all([
            broker.describeGroups({ groupIds: ids }),
            this.fetchOffsets(broker, ids),
          ]);
          const byGroup = new Map(offsets.map(o => [o.groupId, o]));
          return (described.groups as any[]).map((d): GroupSnapshot => {
            const commits: GroupSnapshot['commits'] = {};
            for (const topic of byGroup.get(d.groupId)?.topics ?? []) {
              for (const p of topic.partitions) {
                if (p.offset >= 0) {
                  (commits[topic.topic] ??= {})[p.partition] = p.offset;
                }
              }
            }
            return {
              group: d.groupId,
              state: d.state,
              members: decodeMembers(d.members),
              commits,
            };
          });
        }),
    );
    const groupsAt = Date.now();
    const groups = perCoordinator
      .flat()
      .sort((a, b) => compareNames(a.group, b.group));

    const topicNames = new Set<string>();
    for (const g of groups) {
      Object.keys(g.commits).forEach(t => topicNames.add(t));
      g.members.forEach(m =>
        m.assignments.forEach(a => topicNames.add(a.topic)),
      );
    }
    // Groups keep commits for topics deleted since: ask only for topics that exist.
    const wanted = [...topicNames].filter(t => existing.has(t)).sort();
    const topics: ClusterSnapshot['topics'] = {};
    if (wanted.length > 0) {
      // One ListOffsets per leader and offset kind for every topic (kafkajs's
      // fetchTopicsOffset finds each partition's leader by a scan: quadratic in partitions).
      const byLeader = new Map<
        string,
        { topic: string; partitions: number[] }[]
      >();
      for (const topic of wanted) {
        for (const [leader, partitions] of existing.get(topic)!) {
          const list = byLeader.get(leader) ?? [];
          list.push({ topic, partitions });
          byLeader.set(leader, list);
        }
      }
      const ask = async (fromBeginning: boolean) => {
        const timestamp = cluster.defaultOffset({ fromBeginning });
        const answers = await Promise.all(
          [...byLeader].map(async ([nodeId, leaderTopics]) => {
            const broker = await cluster.findBroker({ nodeId });
            const { responses } = await broker.listOffsets({
              isolationLevel: cluster.isolationLevel,
              topics: leaderTopics.map(t => ({
                topic: t.topic,
                partitions: t.partitions.map(partition => ({
                  partition,
                  timestamp,
                })),
              })),
            });
            return responses as {
              topic: string;
              partitions: { partition: number; offset: string }[];
            }[];
          }),
        );
        const offsets = new Map<string, Map<number, number>>();
        for (const t of answers.flat()) {
          const m = offsets.get(t.topic) ?? new Map<number, number>();
          for (const p of t.partitions) m.set(p.partition, Number(p.offset));
          offsets.set(t.topic, m);
        }
        return offsets;
      };
      const [high, low] = await Promise.all([ask(false), ask(true)]);
      for (const topic of wanted) {
        const ends = high.get(topic);
        if (!ends) continue;
        const starts = low.get(topic);
        const partitions: Record<number, [number, number]> = {};
        for (const p of [...ends.keys()].sort((x, y) => x - y)) {
          partitions[p] = [ends.get(p)!, starts?.get(p) ?? 0];
        }
        topics[topic] = partitions;
      }
    }
    this.logger.debug('sampled kafka cluster', {
      cluster: this.config.name,
      groups: groups.length,
      topics: wanted.length,
      ms: Date.now() - at,
      metadataMs: metadataAt - at,
      groupsMs: groupsAt - metadataAt,
      topicsMs: Date.now() - groupsAt,
    });
    return { at, topics, groups };
  }

  /** Every group's committed offsets, from its coordinator. */
  private async fetchOffsets(
    broker: any,
    groupIds: string[],
  ): Promise<GroupOffsets[]> {
    const supported =
      (broker.versions?.[OFFSET_FETCH_API_KEY]?.maxVersion ?? 0) >=
      OFFSET_FETCH_BATCH_VERSION;
    if (supported) {
      const { groups } = await broker.connectionPool.send(
        offsetFetchV8Request(groupIds),
      );
      return groups;
    }
    return Promise.all(
      groupIds.map(async groupId => {
        const { responses } = await broker.offsetFetch({ groupId, topics: [] });
        return {
          groupId,
          errorCode: 0,
          topics: (responses as any[]).map(r => ({
            topic: r.topic as string,
            partitions: (r.partitions as any[]).map(p => ({
              partition: p.partition as number,
              offset: Number(p.offset),
            })),
          })),
        };
      }),
    );
  }
}

/** Code-point order (as the old sampler's sort), not the locale's. */
function compareNames(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
