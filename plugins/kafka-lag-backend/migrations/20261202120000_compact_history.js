// @ts-check

/**
 * Compact history (issue 22): instead of a full JSON snapshot per sample,
 * - kafka_lag_samples: one row per sample (its time);
 * - kafka_lag_topic_offsets: per sample and topic, the partitions' end and start offsets as
 *   two packed arrays, kept for kafkaLag.snapshotRetentionHours (lag in seconds reads it);
 * - kafka_lag_group_offsets: per sample and group, state, members and the committed offsets
 *   packed per topic, kept only for the last kafkaLag.statusWindow samples (the status
 *   reads them);
 * - kafka_lag_group_history (unchanged): per sample and group, the totals the charts draw.
 * Existing snapshots are converted, then kafka_lag_snapshots is dropped.
 */

/**
 * partition → value as an array indexed by partition (null: no such partition).
 * @param {Record<string, number>} byPartition
 */
function pack(byPartition) {
  const keys = Object.keys(byPartition).map(Number);
  const out = new Array(keys.length ? Math.max(...keys) + 1 : 0).fill(null);
  for (const k of keys) out[k] = byPartition[k];
  return JSON.stringify(out);
}

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('kafka_lag_samples', table => {
    table.string('cluster').notNullable();
    table.bigInteger('sampled_at').notNullable();
    table.primary(['cluster', 'sampled_at']);
  });
  await knex.schema.createTable('kafka_lag_topic_offsets', table => {
    table.string('cluster').notNullable();
    table.bigInteger('sampled_at').notNullable();
    table.string('topic').notNullable();
    // JSON arrays indexed by partition.
    table.text('end_offsets').notNullable();
    table.text('start_offsets').notNullable();
    table.primary(['cluster', 'sampled_at', 'topic']);
  });
  await knex.schema.createTable('kafka_lag_group_offsets', table => {
    table.string('cluster').notNullable();
    table.bigInteger('sampled_at').notNullable();
    table.string('group_id').notNullable();
    table.string('state').notNullable();
    table.text('members').notNullable();
    // JSON: topic → array of committed offsets indexed by partition (null: never committed).
    table.text('commits').notNullable();
    table.primary(['cluster', 'sampled_at', 'group_id']);
  });

  // Convert the snapshots of an earlier release, per cluster a batch at a time.
  const clusters = await knex('kafka_lag_snapshots').distinct('cluster');
  for (const { cluster } of clusters) await convert(knex, cluster);
  await knex.schema.dropTable('kafka_lag_snapshots');
};

/**
 * @param {import('knex').Knex} knex
 * @param {string} cluster
 */
async function convert(knex, cluster) {
  let after = -1;
  for (;;) {
    const rows = await knex('kafka_lag_snapshots')
      .where({ cluster })
      .andWhere('sampled_at', '>', after)
      .orderBy('sampled_at')
      .limit(20)
      .select('cluster', 'sampled_at', 'payload');
    if (rows.length === 0) break;
    for (const row of rows) {
      const snapshot = JSON.parse(row.payload);
      const at = Number(row.sampled_at);
      await knex('kafka_lag_samples').insert({
        cluster: row.cluster,
        sampled_at: at,
      });
      for (const [topic, partitions] of Object.entries(
        /** @type {Record<string, Record<string, [number, number]>>} */ (
          snapshot.topics
        ),
      )) {
        /** @type {Record<string, number>} */
        const ends = {};
        /** @type {Record<string, number>} */
        const starts = {};
        for (const [p, [end, start]] of Object.entries(partitions)) {
          ends[p] = end;
          starts[p] = start;
        }
        await knex('kafka_lag_topic_offsets').insert({
          cluster: row.cluster,
          sampled_at: at,
          topic,
          end_offsets: pack(ends),
          start_offsets: pack(starts),
        });
      }
      for (const group of snapshot.groups) {
        await knex('kafka_lag_group_offsets').insert({
          cluster: row.cluster,
          sampled_at: at,
          group_id: group.group,
          state: group.state,
          members: JSON.stringify(group.members),
          commits: JSON.stringify(
            Object.fromEntries(
              Object.entries(group.commits).map(([t, c]) => [
                t,
                JSON.parse(pack(c)),
              ]),
            ),
          ),
        });
      }
    }
    after = Number(rows[rows.length - 1].sampled_at);
  }
}

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  // The compact history does not go back into full snapshots: it starts empty.
  await knex.schema.createTable('kafka_lag_snapshots', table => {
    table.string('cluster').notNullable();
    table.bigInteger('sampled_at').notNullable();
    table.text('payload', 'longtext').notNullable();
    table.primary(['cluster', 'sampled_at']);
  });
  await knex.schema.dropTable('kafka_lag_group_offsets');
  await knex.schema.dropTable('kafka_lag_topic_offsets');
  await knex.schema.dropTable('kafka_lag_samples');
};
