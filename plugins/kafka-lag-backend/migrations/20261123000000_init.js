// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // Full offset snapshots of a cluster, kept for kafkaLag.snapshotRetentionHours, so that
  // lag in seconds and statuses survive a restart.
  await knex.schema.createTable('kafka_lag_snapshots', table => {
    table.string('cluster').notNullable();
    table.bigInteger('sampled_at').notNullable();
    table.text('payload', 'longtext').notNullable();
    table.primary(['cluster', 'sampled_at']);
  });
  // One row per group per sample, kept for kafkaLag.historyRetentionHours: the charts.
  await knex.schema.createTable('kafka_lag_group_history', table => {
    table.string('cluster').notNullable();
    table.string('group_id').notNullable();
    table.bigInteger('sampled_at').notNullable();
    table.bigInteger('total_lag').notNullable();
    table.double('max_lag_seconds').nullable();
    table.string('status').notNullable();
    table.primary(['cluster', 'group_id', 'sampled_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('kafka_lag_group_history');
  await knex.schema.dropTable('kafka_lag_snapshots');
};
