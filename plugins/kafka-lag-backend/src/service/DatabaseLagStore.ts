import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  GroupSummary,
  LagHistoryPoint,
} from '@internal/plugin-kafka-lag-common';
import { Knex } from 'knex';
import { ClusterSampleState, ClusterSnapshot, LagStore } from './types';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-kafka-lag-backend',
  'migrations',
);

/** topic → partition → value as an array indexed by partition (null: no such partition). */
function pack<T>(byPartition: Record<number, T>): (T | null)[] {
  const keys = Object.keys(byPartition).map(Number);
  let size = 0;
  for (const k of keys) size = Math.max(size, k + 1);
  const out: (T | null)[] = new Array(size).fill(null);
  for (const k of keys) out[k] = byPartition[k];
  return out;
}

function unpack<T>(packed: (T | null)[]): Record<number, T> {
  const out: Record<number, T> = {};
  for (let i = 0; i < packed.length; i++) {
    if (packed[i] !== null) out[i] = packed[i] as T;
  }
  return out;
}

/** Rows per insert statement (SQLite limits the bound variables per statement). */
const BATCH = 100;

/**
 * The lag history in the plugin's database (SQLite or PostgreSQL), compactly: per sample
 * the topics' end and start offsets as packed arrays (kept for the snapshot retention),
 * the groups' committed offsets packed per topic (kept for the last `statusWindow`
 * samples only), and per group the totals the charts draw (the history retention).
 * A snapshot read back has its groups only for those last samples.
 */
export class DatabaseLagStore implements LagStore {
  static async create(database: DatabaseService): Promise<DatabaseLagStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseLagStore(knex);
  }

  private constructor(private readonly knex: Knex) {}

  async saveSample(
    cluster: string,
    snapshot: ClusterSnapshot,
    summaries: GroupSummary[],
  ): Promise<void> {
    const at = snapshot.at;
    const topicRows = Object.entries(snapshot.topics).map(
      ([topic, partitions]) => {
        const ends: Record<number, number> = {};
        const starts: Record<number, number> = {};
        for (const [p, [end, start]] of Object.entries(partitions)) {
          ends[Number(p)] = end;
          starts[Number(p)] = start;
        }
        return {
          cluster,
          sampled_at: at,
          topic,
          end_offsets: JSON.stringify(pack(ends)),
          start_offsets: JSON.stringify(pack(starts)),
        };
      },
    );
    const groupRows = snapshot.groups.map(g => ({
      cluster,
      sampled_at: at,
      group_id: g.group,
      state: g.state,
      members: JSON.stringify(g.members),
      commits: JSON.stringify(
        Object.fromEntries(
          Object.entries(g.commits).map(([topic, c]) => [topic, pack(c)]),
        ),
      ),
    }));
    const historyRows = summaries.map(s => ({
      cluster,
      group_id: s.group,
      sampled_at: at,
      total_lag: s.totalLag,
      max_lag_seconds: s.maxLagSeconds,
      status: s.status,
    }));
    await this.knex.transaction(async tx => {
      const stored = await tx('kafka_lag_samples')
        .where({ cluster, sampled_at: at })
        .first('sampled_at');
      // Stored already (another sampler at the same millisecond): keep the first.
      if (!stored) {
        await tx('kafka_lag_samples').insert({ cluster, sampled_at: at });
        const batches: [string, object[]][] = [
          ['kafka_lag_topic_offsets', topicRows],
          ['kafka_lag_group_offsets', groupRows],
          ['kafka_lag_group_history', historyRows],
        ];
        for (const [table, rows] of batches) {
          for (let i = 0; i < rows.length; i += BATCH) {
            await tx(table).insert(rows.slice(i, i + BATCH));
          }
        }
      }
      await tx('kafka_lag_cluster_state')
        .insert({ cluster, sampled_at: at, attempted_at: at, error: null })
        .onConflict('cluster')
        .merge();
    });
  }

  async saveFailure(cluster: string, at: number, error: string) {
    await this.knex('kafka_lag_cluster_state')
      .insert({ cluster, sampled_at: null, attempted_at: at, error })
      // Keeps sampled_at: the last good snapshot stays, marked stale.
      .onConflict('cluster')
      .merge(['attempted_at', 'error']);
  }

  async loadStates() {
    const rows = await this.knex('kafka_lag_cluster_state').select(
      'cluster',
      'sampled_at',
      'attempted_at',
      'error',
    );
    return new Map(
      rows.map((r): [string, ClusterSampleState] => [
        r.cluster,
        {
          sampledAt: r.sampled_at === null ? null : Number(r.sampled_at),
          attemptedAt: Number(r.attempted_at),
          ...(r.error ? { error: r.error as string } : {}),
        },
      ]),
    );
  }

  async loadSnapshots(cluster: string, since: number, until?: number) {
    const range = (table: string) => {
      const query = this.knex(table)
        .where({ cluster })
        .andWhere('sampled_at', '>=', since);
      if (until !== undefined) query.andWhere('sampled_at', '<=', until);
      return query.orderBy('sampled_at', 'asc');
    };
    const [samples, topicRows, groupRows] = await Promise.all([
      range('kafka_lag_samples').select('sampled_at'),
      range('kafka_lag_topic_offsets').select(
        'sampled_at',
        'topic',
        'end_offsets',
        'start_offsets',
      ),
      range('kafka_lag_group_offsets')
        .orderBy('group_id', 'asc')
        .select('sampled_at', 'group_id', 'state', 'members', 'commits'),
    ]);
    const byTime = new Map<number, ClusterSnapshot>(
      samples.map(r => {
        const at = Number(r.sampled_at);
        return [at, { at, topics: {}, groups: [] }];
      }),
    );
    for (const r of topicRows) {
      const snapshot = byTime.get(Number(r.sampled_at));
      if (!snapshot) continue;
      const ends: (number | null)[] = JSON.parse(r.end_offsets);
      const starts: (number | null)[] = JSON.parse(r.start_offsets);
      const partitions: Record<number, [number, number]> = {};
      for (let p = 0; p < ends.length; p++) {
        if (ends[p] !== null) partitions[p] = [ends[p]!, starts[p] ?? 0];
      }
      snapshot.topics[r.topic] = partitions;
    }
    for (const r of groupRows) {
      const snapshot = byTime.get(Number(r.sampled_at));
      if (!snapshot) continue;
      const commits: Record<string, (number | null)[]> = JSON.parse(r.commits);
      snapshot.groups.push({
        group: r.group_id,
        state: r.state,
        members: JSON.parse(r.members),
        commits: Object.fromEntries(
          Object.entries(commits).map(([topic, c]) => [topic, unpack(c)]),
        ),
      });
    }
    return [...byTime.values()];
  }

  async loadHistory(
    cluster: string,
    group: string,
    range: { since: number; until: number; maxPoints?: number },
  ) {
    const { since, until, maxPoints } = range;
    const inRange = () =>
      this.knex('kafka_lag_group_history')
        .where({ cluster, group_id: group })
        .andWhere('sampled_at', '>=', since)
        .andWhere('sampled_at', '<=', until);
    const newest = inRange()
      .orderBy('sampled_at', 'desc')
      .select('sampled_at', 'total_lag', 'max_lag_seconds');
    if (maxPoints !== undefined) newest.limit(maxPoints + 1);
    let rows = (await newest).reverse();
    if (maxPoints !== undefined && rows.length > maxPoints) {
      // More samples than points: one point per step, counted from `since`, so that the
      // range holds at most maxPoints steps. Integers as literals: integer division on
      // SQLite and PostgreSQL alike (better-sqlite3 binds a number as REAL).
      const step = Math.floor((until - since) / maxPoints) + 1;
      const bucket = `(sampled_at - ${Math.floor(since)}) / ${step}`;
      rows = await inRange()
        .groupBy(this.knex.raw(bucket))
        .orderBy('sampled_at', 'asc')
        .select(
          this.knex.raw('max(sampled_at) as sampled_at'),
          this.knex.raw('max(total_lag) as total_lag'),
          this.knex.raw('max(max_lag_seconds) as max_lag_seconds'),
        );
    }
    return rows.map(
      (r): LagHistoryPoint => ({
        at: new Date(Number(r.sampled_at)).toISOString(),
        totalLag: Number(r.total_lag),
        maxLagSeconds:
          r.max_lag_seconds === null ? null : Number(r.max_lag_seconds),
      }),
    );
  }

  async prune(
    cluster: string,
    options: {
      snapshotsBefore: number;
      historyBefore: number;
      groupSamplesToKeep: number;
    },
  ) {
    const { snapshotsBefore, historyBefore, groupSamplesToKeep } = options;
    // The committed offsets of the last groupSamplesToKeep samples only.
    const [oldestKept] = await this.knex('kafka_lag_samples')
      .where({ cluster })
      .orderBy('sampled_at', 'desc')
      .offset(Math.max(0, groupSamplesToKeep - 1))
      .limit(1)
      .select('sampled_at');
    if (oldestKept) {
      await this.knex('kafka_lag_group_offsets')
        .where({ cluster })
        .andWhere('sampled_at', '<', oldestKept.sampled_at)
        .delete();
    }
    for (const table of ['kafka_lag_topic_offsets', 'kafka_lag_samples']) {
      await this.knex(table)
        .where({ cluster })
        .andWhere('sampled_at', '<', snapshotsBefore)
        .delete();
    }
    await this.knex('kafka_lag_group_history')
      .where({ cluster })
      .andWhere('sampled_at', '<', historyBefore)
      .delete();
  }
}
