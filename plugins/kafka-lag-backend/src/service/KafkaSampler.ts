import { LoggerService } from '@backstage/backend-plugin-api';
import { GroupMember } from '@internal/plugin-kafka-lag-common';
import { Admin, AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { KafkaClusterConfig } from '../config';
import { ClusterSnapshot, GroupSnapshot } from './types';

/** How many group offset requests are in flight at once. */
const CONCURRENCY = 8;

async function mapLimited<T, R>(
  items: T[],
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

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

/**
 * Takes offset snapshots of one cluster through one long-lived admin connection:
 * every group's description and committed offsets, and the end and start offsets
 * of every topic those groups read. Never commits anything (no resolveOffsets).
 */
export class KafkaSampler {
  private admin?: Admin;

  constructor(
    private readonly cluster: KafkaClusterConfig,
    private readonly logger: LoggerService,
  ) {}

  async snapshot(): Promise<ClusterSnapshot> {
    const admin = await this.connect();
    try {
      return await this.read(admin);
    } catch (error) {
      // Start afresh next time: the connection may be what failed.
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => {});
  }

  private async connect(): Promise<Admin> {
    if (!this.admin) {
      const kafka = new Kafka({
        ...this.cluster.kafka,
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3000,
        requestTimeout: 10000,
        retry: { retries: 2, initialRetryTime: 300 },
      });
      const admin = kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  private async read(admin: Admin): Promise<ClusterSnapshot> {
    const at = Date.now();
    const { groups: listed } = await admin.listGroups();
    const ids = listed
      .filter(g => g.protocolType === 'consumer' || g.protocolType === '')
      .map(g => g.groupId)
      .sort();
    const described = ids.length
      ? (await admin.describeGroups(ids)).groups
      : [];

    const groups: GroupSnapshot[] = await mapLimited(described, async d => {
      const offsets = await admin.fetchOffsets({ groupId: d.groupId });
      const commits: GroupSnapshot['commits'] = {};
      for (const topic of offsets) {
        for (const p of topic.partitions) {
          if (p.offset !== '-1') {
            (commits[topic.topic] ??= {})[p.partition] = Number(p.offset);
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

    const topicNames = new Set<string>();
    for (const g of groups) {
      Object.keys(g.commits).forEach(t => topicNames.add(t));
      g.members.forEach(m =>
        m.assignments.forEach(a => topicNames.add(a.topic)),
      );
    }
    // Groups keep commits for topics deleted since: ask only for topics that exist.
    const existing = new Set(await admin.listTopics());
    const topics: ClusterSnapshot['topics'] = {};
    await mapLimited(
      [...topicNames].filter(t => existing.has(t)),
      async topic => {
        try {
          const partitions = await admin.fetchTopicOffsets(topic);
          topics[topic] = Object.fromEntries(
            partitions.map(p => [p.partition, [Number(p.high), Number(p.low)]]),
          );
        } catch (error) {
          // Deleted since listTopics: leave it out.
          if ((await admin.listTopics()).includes(topic)) {
            throw error;
          }
        }
      },
    );
    this.logger.debug('sampled kafka cluster', {
      cluster: this.cluster.name,
      groups: groups.length,
      topics: topicNames.size,
      ms: Date.now() - at,
    });
    return { at, topics, groups };
  }
}
