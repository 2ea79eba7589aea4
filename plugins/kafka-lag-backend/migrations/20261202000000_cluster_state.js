// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // One row per cluster: when it was last sampled successfully and what the last attempt's
  // error was. Every replica reads it (the sampler is a global task, so only one replica
  // samples a cluster at a time), so every replica reports the same stale flag and error.
  await knex.schema.createTable('kafka_lag_cluster_state', table => {
    table.string('cluster').primary().notNullable();
    // The latest successful snapshot's sampled_at (null: never sampled successfully).
    table.bigInteger('sampled_at').nullable();
    table.bigInteger('attempted_at').notNullable();
    table.text('error').nullable();
  });
  // Databases written before this table: the latest snapshot of each cluster.
  await knex.raw(
    `INSERT INTO kafka_lag_cluster_state (cluster, sampled_at, attempted_at)
     SELECT cluster, MAX(sampled_at), MAX(sampled_at) FROM kafka_lag_snapshots GROUP BY cluster`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('kafka_lag_cluster_state');
};
