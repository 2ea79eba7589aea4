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

/** Snapshots and per-group history in the plugin's database (SQLite or PostgreSQL). */
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
    await this.knex.transaction(async tx => {
      await tx('kafka_lag_snapshots')
        .insert({
          cluster,
          sampled_at: snapshot.at,
          payload: JSON.stringify(snapshot),
        })
        .onConflict(['cluster', 'sampled_at'])
        .ignore();
      const rows = summaries.map(s => ({
        cluster,
        group_id: s.group,
        sampled_at: snapshot.at,
        total_lag: s.totalLag,
        max_lag_seconds: s.maxLagSeconds,
        status: s.status,
      }));
      await tx('kafka_lag_cluster_state')
        .insert({
          cluster,
          sampled_at: snapshot.at,
          attempted_at: snapshot.at,
          error: null,
        })
        .onConflict('cluster')
        .merge();
      // SQLite limits the number of bound variables per statement.
      for (let i = 0; i < rows.length; i += 100) {
        await tx('kafka_lag_group_history')
          .insert(rows.slice(i, i + 100))
          .onConflict(['cluster', 'group_id', 'sampled_at'])
          .ignore();
      }
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
    const query = this.knex('kafka_lag_snapshots')
      .where({ cluster })
      .andWhere('sampled_at', '>=', since);
    if (until !== undefined) query.andWhere('sampled_at', '<=', until);
    const rows = await query.orderBy('sampled_at', 'asc').select('payload');
    return rows.map(r => JSON.parse(r.payload) as ClusterSnapshot);
  }

  async loadHistory(cluster: string, group: string, since: number) {
    const rows = await this.knex('kafka_lag_group_history')
      .where({ cluster, group_id: group })
      .andWhere('sampled_at', '>=', since)
      .orderBy('sampled_at', 'asc')
      .select('sampled_at', 'total_lag', 'max_lag_seconds');
    return rows.map(
      (r): LagHistoryPoint => ({
        at: new Date(Number(r.sampled_at)).toISOString(),
        totalLag: Number(r.total_lag),
        maxLagSeconds:
          r.max_lag_seconds === null ? null : Number(r.max_lag_seconds),
      }),
    );
  }

  async prune(snapshotsBefore: number, historyBefore: number) {
    await this.knex('kafka_lag_snapshots')
      .where('sampled_at', '<', snapshotsBefore)
      .delete();
    await this.knex('kafka_lag_group_history')
      .where('sampled_at', '<', historyBefore)
      .delete();
  }
}
