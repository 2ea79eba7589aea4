// @ts-check

/**
 * In the catalog's database (the catalog module's coreServices.database), with a migrations
 * table of its own so that the catalog's migrations are not disturbed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  // What platform:publish:local published, one row per published name: the catalog module's
  // provider feeds the catalog from this table on every replica.
  await knex.schema.createTable('platform_published_entities', table => {
    table.string('name').primary().notNullable();
    // JSON array of the entity refs, to refuse a second name for the same entity.
    table.text('entity_refs').notNullable();
    // JSON array of the entities, as the template rendered them.
    table.text('entities', 'longtext').notNullable();
    // The scaffolder task that published it: the same task may publish it again (a resumed
    // task), another may not.
    table.string('task_id').notNullable();
    table.string('published_by').nullable();
    table.bigInteger('published_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('platform_published_entities');
};
