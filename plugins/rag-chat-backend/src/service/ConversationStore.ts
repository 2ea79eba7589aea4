import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  ChatMessage,
  ConversationSummary,
  FeedbackRating,
  RegressionCase,
} from '@internal/plugin-rag-chat-common';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-rag-chat-backend',
  'migrations',
);

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

/** Conversations, messages and feedback in the plugin's database (SQLite or PostgreSQL). */
export class ConversationStore {
  static async create(database: DatabaseService): Promise<ConversationStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new ConversationStore(knex);
  }

  private constructor(private readonly knex: Knex) {}

  async createConversation(c: {
    id: string;
    userRef: string;
    title: string;
    entityRef?: string;
  }) {
    const now = Date.now();
    await this.knex('rag_chat_conversations').insert({
      id: c.id,
      user_ref: c.userRef,
      title: c.title,
      entity_ref: c.entityRef ?? null,
      created_at: now,
      updated_at: now,
    });
  }

  async listConversations(userRef: string): Promise<ConversationSummary[]> {
    const rows = await this.knex('rag_chat_conversations as c')
      .leftJoin('rag_chat_messages as m', 'm.conversation_id', 'c.id')
      .where('c.user_ref', userRef)
      .groupBy(
        'c.id',
        'c.title',
        'c.entity_ref',
        'c.created_at',
        'c.updated_at',
      )
      .orderBy('c.updated_at', 'desc')
      .select('c.id', 'c.title', 'c.entity_ref', 'c.created_at', 'c.updated_at')
      .count({ messages: 'm.id' });
    return (rows as Array<Record<string, unknown>>).map(r => ({
      id: r.id as string,
      title: r.title as string,
      entityRef: (r.entity_ref as string | null) ?? undefined,
      createdAt: iso(r.created_at as number),
      updatedAt: iso(r.updated_at as number),
      messageCount: Number(r.messages),
    }));
  }

  /** The conversation if it is this user's; undefined otherwise. */
  async getConversation(
    userRef: string,
    id: string,
  ): Promise<ConversationSummary | undefined> {
    const r = await this.knex('rag_chat_conversations')
      .where({ id, user_ref: userRef })
      .first();
    if (!r) return undefined;
    const [{ n }] = await this.knex('rag_chat_messages')
      .where({ conversation_id: id })
      .count({ n: 'id' });
    return {
      id: r.id,
      title: r.title,
      entityRef: r.entity_ref ?? undefined,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
      messageCount: Number(n),
    };
  }

  async getMessages(conversationId: string): Promise<ChatMessage[]> {
    const rows = await this.knex('rag_chat_messages as m')
      .leftJoin('rag_chat_feedback as f', 'f.message_id', 'm.id')
      .where('m.conversation_id', conversationId)
      .orderBy('m.seq', 'asc')
      .select(
        'm.*',
        'f.rating as feedback_rating',
        'f.comment as feedback_comment',
        'f.rated_at as feedback_rated_at',
      );
    return rows.map(r => ({
      id: r.id,
      conversationId: r.conversation_id,
      question: r.question,
      answer: r.answer,
      passages: JSON.parse(r.passages),
      citations: JSON.parse(r.citations),
      mode: r.mode,
      notices: JSON.parse(r.notices),
      status: r.status,
      error: r.error ?? undefined,
      usage: r.usage ? JSON.parse(r.usage) : undefined,
      feedback: r.feedback_rating
        ? {
            rating: r.feedback_rating,
            comment: r.feedback_comment ?? undefined,
            createdAt: iso(r.feedback_rated_at),
          }
        : undefined,
      createdAt: iso(r.created_at),
    }));
  }

  async addMessage(message: ChatMessage) {
    await this.knex.transaction(async tx => {
      const [{ max }] = await tx('rag_chat_messages')
        .where({ conversation_id: message.conversationId })
        .max({ max: 'seq' });
      await tx('rag_chat_messages').insert({
        id: message.id,
        conversation_id: message.conversationId,
        seq: (max === null || max === undefined ? -1 : Number(max)) + 1,
        question: message.question,
        answer: message.answer,
        passages: JSON.stringify(message.passages),
        citations: JSON.stringify(message.citations),
        mode: message.mode,
        notices: JSON.stringify(message.notices),
        status: message.status,
        error: message.error ?? null,
        usage: message.usage ? JSON.stringify(message.usage) : null,
        created_at: Date.parse(message.createdAt),
      });
      await tx('rag_chat_conversations')
        .where({ id: message.conversationId })
        .update({ updated_at: Date.now() });
    });
  }

  /** Deletes a conversation of this user with its messages; false if there is none. */
  async deleteConversation(userRef: string, id: string): Promise<boolean> {
    return this.knex.transaction(async tx => {
      const owned = await tx('rag_chat_conversations')
        .where({ id, user_ref: userRef })
        .first();
      if (!owned) return false;
      await tx('rag_chat_messages').where({ conversation_id: id }).delete();
      await tx('rag_chat_conversations').where({ id }).delete();
      return true;
    });
  }

  /** The message with its conversation, if the conversation is this user's. */
  async getOwnMessage(
    userRef: string,
    messageId: string,
  ): Promise<(ChatMessage & { entityRef?: string }) | undefined> {
    const row = await this.knex('rag_chat_messages as m')
      .join('rag_chat_conversations as c', 'c.id', 'm.conversation_id')
      .where({ 'm.id': messageId, 'c.user_ref': userRef })
      .first('m.conversation_id', 'c.entity_ref');
    if (!row) return undefined;
    const message = (await this.getMessages(row.conversation_id)).find(
      m => m.id === messageId,
    );
    return message && { ...message, entityRef: row.entity_ref ?? undefined };
  }

  async saveFeedback(
    userRef: string,
    message: ChatMessage & { entityRef?: string },
    rating: FeedbackRating,
    comment?: string,
  ) {
    await this.knex('rag_chat_feedback')
      .insert({
        message_id: message.id,
        user_ref: userRef,
        rating,
        comment: comment ?? null,
        question: message.question,
        entity_ref: message.entityRef ?? null,
        answer: message.answer,
        mode: message.mode,
        passages: JSON.stringify(message.passages),
        citations: JSON.stringify(message.citations),
        asked_at: Date.parse(message.createdAt),
        rated_at: Date.now(),
      })
      .onConflict('message_id')
      .merge(['rating', 'comment', 'rated_at']);
  }

  async exportFeedback(): Promise<RegressionCase[]> {
    const rows = await this.knex('rag_chat_feedback').orderBy(
      'rated_at',
      'asc',
    );
    return rows.map(r => {
      const passages = JSON.parse(r.passages) as ChatMessage['passages'];
      const citations = JSON.parse(r.citations) as number[];
      const cited = citations
        .map(n => passages.find(p => p.n === n)?.sourceId)
        .filter((s): s is string => !!s);
      return {
        question: r.question,
        entityRef: r.entity_ref ?? undefined,
        rating: r.rating,
        comment: r.comment ?? undefined,
        answer: r.answer,
        mode: r.mode,
        citedSources: [...new Set(cited)],
        passages: passages.map(p => ({
          n: p.n,
          sourceId: p.sourceId,
          title: p.title,
          heading: p.heading,
        })),
        askedBy: r.user_ref,
        askedAt: iso(r.asked_at),
        ratedAt: iso(r.rated_at),
      };
    });
  }
}
