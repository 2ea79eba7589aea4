// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // One conversation per thread a user starts; entity_ref when it was started on an entity page.
  await knex.schema.createTable('rag_chat_conversations', table => {
    table.string('id', 36).primary();
    table.string('user_ref').notNullable().index();
    table.string('title', 200).notNullable();
    table.string('entity_ref').nullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
  });
  // Each question with what was retrieved and answered, and the answer's usage.
  await knex.schema.createTable('rag_chat_messages', table => {
    table.string('id', 36).primary();
    table
      .string('conversation_id', 36)
      .notNullable()
      .references('id')
      .inTable('rag_chat_conversations')
      .onDelete('CASCADE');
    table.integer('seq').notNullable();
    table.text('question').notNullable();
    table.text('answer', 'longtext').notNullable();
    table.text('passages', 'longtext').notNullable();
    table.text('citations').notNullable();
    table.string('mode').notNullable();
    table.text('notices').notNullable();
    table.string('status').notNullable();
    table.text('error').nullable();
    table.text('usage').nullable();
    table.bigInteger('created_at').notNullable();
    table.index(['conversation_id', 'seq']);
  });
  // Feedback keeps its own copy of question, passages and answer: it is the regression
  // case, and stays when the asker deletes the conversation.
  await knex.schema.createTable('rag_chat_feedback', table => {
    table.string('message_id', 36).primary();
    table.string('user_ref').notNullable();
    table.string('rating').notNullable();
    table.text('comment').nullable();
    table.text('question').notNullable();
    table.string('entity_ref').nullable();
    table.text('answer', 'longtext').notNullable();
    table.string('mode').notNullable();
    table.text('passages', 'longtext').notNullable();
    table.text('citations').notNullable();
    table.bigInteger('asked_at').notNullable();
    table.bigInteger('rated_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rag_chat_feedback');
  await knex.schema.dropTable('rag_chat_messages');
  await knex.schema.dropTable('rag_chat_conversations');
};
