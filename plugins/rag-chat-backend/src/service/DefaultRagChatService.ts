import { randomUUID } from 'node:crypto';
import {
  AuthService,
  CacheService,
  DatabaseService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AskRequest,
  ChatMessage,
  Conversation,
  FeedbackRating,
  IndexedSource,
  RagChatStatus,
} from '@internal/plugin-rag-chat-common';
import {
  RagChatConfig,
  configurationNotices,
  embeddingsSource,
} from '../config';
import {
  IndexRuns,
  cachedIndexRunsState,
  memoryIndexRunsState,
} from '../indexing/IndexRuns';
import { OpenStore, StoreLifecycle } from '../store/StoreLifecycle';
import { Answerer } from './Answerer';
import { TechDocsReader } from '../indexing/techdocs';
import { ConversationStore } from './ConversationStore';
import { RateLimiter, ReadableEntities } from './access';
import { AskerAccess } from './Retriever';
import { Asker, PreparedAnswer, RagChatService } from './types';

export interface RagChatServiceOptions {
  config: RagChatConfig;
  logger: LoggerService;
  database: DatabaseService;
  catalog: CatalogService;
  auth: AuthService;
  /** Finds the TechDocs backend (the TechDocs source); unset: no TechDocs source. */
  discovery?: DiscoveryService;
  /** Per-user limits, and the index runs' state when the store is shared. */
  cache: CacheService;
}

/**
 * The chat, as the router sees it: checks a question (length, rate,
 * conversation, entity) and has the Answerer answer it with the asker's
 * permissions, keeps conversations and feedback, serves indexed sources, and
 * reports what the store (StoreLifecycle) and the index runs (IndexRuns) are
 * doing.
 */
export class DefaultRagChatService implements RagChatService {
  static async create(
    options: RagChatServiceOptions,
  ): Promise<DefaultRagChatService> {
    const conversations = await ConversationStore.create(options.database);
    const service = new DefaultRagChatService(options, conversations);
    // A store that is down at start-up is reported (and retried) per request.
    await service.store.open().catch(() => undefined);
    return service;
  }

  private readonly store: StoreLifecycle;
  private readonly indexRuns: IndexRuns;
  private readonly answerer: Answerer;
  private readonly limiter: RateLimiter;
  private readonly readable: ReadableEntities;

  private constructor(
    private readonly options: RagChatServiceOptions,
    private readonly conversations: ConversationStore,
  ) {
    const { config, logger, catalog, auth, cache, discovery } = options;
    this.store = new StoreLifecycle({
      config,
      logger,
      catalog,
      auth,
      techdocs: discovery && new TechDocsReader({ discovery, auth, logger }),
    });
    this.indexRuns = new IndexRuns({
      config,
      logger,
      indexer: async () => (await this.store.require()).indexer,
      // A shared store is indexed by one replica at a time (a global task); each
      // embedded store by its own process.
      state: config.store.connection
        ? cachedIndexRunsState(cache, {
            connection: config.store.connection,
            schema: config.store.schema,
          })
        : memoryIndexRunsState(),
    });
    this.answerer = new Answerer({ config, logger });
    this.readable = new ReadableEntities(
      catalog,
      cache,
      config.retrieval.readableCacheSeconds * 1000,
      logger,
    );
    this.limiter = new RateLimiter(
      cache,
      config.limits.questionsPerMinute,
      logger,
    );
  }

  async close() {
    await this.store.close();
  }

  async reindexIfDue(): Promise<void> {
    await this.indexRuns.runIfDue();
  }

  async status(): Promise<RagChatStatus> {
    const { config } = this.options;
    let open: OpenStore | undefined;
    try {
      open = await this.store.open();
    } catch {
      // reported below
    }
    const storeError = this.store.error;
    const embeddings = embeddingsSource(config);
    const notices = configurationNotices(config);
    if (storeError) {
      notices.unshift(storeError);
    }
    return {
      chat: { configured: !!config.chat, model: config.chat?.model },
      embeddings: {
        configured: !!embeddings,
        model: embeddings?.model,
        dimensions: config.dimensions,
        inProcess: embeddings?.kind === 'in-process',
      },
      store: {
        kind: config.store.connection ? 'postgres' : 'embedded',
        pgvector: open?.store.version,
        error: storeError,
      },
      index: {
        sources: open ? await open.store.stats() : [],
        ...(await this.indexRuns.state()),
      },
      notices,
      limits: {
        maxQuestionChars: config.limits.maxQuestionChars,
        questionsPerMinute: config.limits.questionsPerMinute,
      },
    };
  }

  /** The asker's access: their groups, the entity scope, and the catalog's read permission. */
  private accessFor(asker: Asker, scopeEntityRefs?: string[]): AskerAccess {
    return {
      principalRefs: asker.principalRefs,
      scopeEntityRefs,
      readable: this.readable.forAsker(asker),
    };
  }

  /** The question, trimmed; an empty or too long one is refused naming the limit's key. */
  private checkedQuestion(text: string): string {
    const { maxQuestionChars } = this.options.config.limits;
    const question = text.trim();
    if (!question) throw new InputError('The question is empty');
    if (question.length > maxQuestionChars) {
      throw new InputError(
        `The question is ${question.length} characters long; the limit is ${maxQuestionChars} characters (ragChat.limits.maxQuestionChars)`,
      );
    }
    return question;
  }

  /** The earlier turns of the asker's conversation, and the entity it is about. */
  private async conversationContext(
    request: AskRequest,
    asker: Asker,
  ): Promise<{ history: ChatMessage[]; entityRef?: string }> {
    const { conversationId, entityRef } = request;
    if (!conversationId) return { history: [], entityRef };
    const conversation = await this.conversations.getConversation(
      asker.userRef,
      conversationId,
    );
    if (!conversation) {
      throw new NotFoundError(`No conversation ${conversationId}`);
    }
    return {
      history: await this.conversations.getMessages(conversationId),
      entityRef: entityRef ?? conversation.entityRef,
    };
  }

  /** An entity page's question is about the entity and what it relates to. */
  private async entityScope(entityRef: string, asker: Asker) {
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials: asker.credentials,
    });
    if (!entity) throw new NotFoundError(`No entity ${entityRef}`);
    return [entityRef, ...(entity.relations ?? []).map(r => r.targetRef)];
  }

  async prepareAnswer(
    request: AskRequest,
    asker: Asker,
  ): Promise<PreparedAnswer> {
    const started = performance.now();
    const { config } = this.options;
    const question = this.checkedQuestion(request.question);
    const { history, entityRef } = await this.conversationContext(
      request,
      asker,
    );
    const scope = entityRef
      ? await this.entityScope(entityRef, asker)
      : undefined;
    await this.limiter.check(asker.userRef);
    const { retriever } = await this.store.require();
    const isNew = !request.conversationId;
    const conversationId = request.conversationId ?? randomUUID();
    const messageId = randomUUID();
    const recent = history
      .filter(m => m.status !== 'error')
      .slice(-config.limits.historyTurns);
    const access = this.accessFor(asker, scope);
    // Retrieved from here on, while the caller (the router) still waits for the ask
    // permission; nothing is stored or sent before `stream`. Unawaited until then.
    const retrieved = this.answerer.retrieve({
      retriever,
      question,
      history: recent,
      access,
    });
    retrieved.catch(() => undefined);
    return {
      conversationId,
      messageId,
      stream: async (emit, signal) => {
        // Stored while the answer is retrieved and streamed, not before: the first token
        // does not wait for it.
        const created = isNew
          ? this.conversations.createConversation({
              id: conversationId,
              userRef: asker.userRef,
              title: question.slice(0, 120),
              entityRef,
            })
          : Promise.resolve();
        created.catch(() => undefined);
        const message = await this.answerer.answer({
          retriever,
          question,
          history: recent,
          access,
          retrieved,
          conversationId,
          messageId,
          started,
          emit,
          signal,
        });
        await created;
        await this.conversations.addMessage(message);
        emit({ type: 'done', message });
        return message;
      },
    };
  }

  listConversations(userRef: string) {
    return this.conversations.listConversations(userRef);
  }

  async getConversation(userRef: string, id: string): Promise<Conversation> {
    const conversation = await this.conversations.getConversation(userRef, id);
    if (!conversation) throw new NotFoundError(`No conversation ${id}`);
    return {
      ...conversation,
      messages: await this.conversations.getMessages(id),
    };
  }

  async deleteConversation(userRef: string, id: string) {
    if (!(await this.conversations.deleteConversation(userRef, id))) {
      throw new NotFoundError(`No conversation ${id}`);
    }
  }

  async setFeedback(
    userRef: string,
    messageId: string,
    feedback: { rating: FeedbackRating; comment?: string },
  ) {
    const message = await this.conversations.getOwnMessage(userRef, messageId);
    if (!message) throw new NotFoundError(`No message ${messageId}`);
    await this.conversations.saveFeedback(
      userRef,
      message,
      feedback.rating,
      feedback.comment,
    );
  }

  exportFeedback() {
    return this.conversations.exportFeedback();
  }

  async getSource(sourceId: string, asker: Asker): Promise<IndexedSource> {
    const { store } = await this.store.require();
    const source = await store.getSource(sourceId);
    const readable =
      source?.entityRef &&
      (await this.accessFor(asker).readable([source.entityRef]));
    // Not readable reads as not there: a refusal would confirm that it exists.
    if (
      !source ||
      (source.entityRef && !(readable && readable.has(source.entityRef))) ||
      (source.restrictedTo &&
        !asker.principalRefs.includes(source.restrictedTo))
    ) {
      throw new NotFoundError(`No indexed source ${sourceId}`);
    }
    return {
      sourceId: source.sourceId,
      kind: source.kind,
      title: source.title,
      url: source.url,
      entityRef: source.entityRef,
      text: source.body,
      contentHash: source.contentHash,
      indexedAt: source.indexedAt,
      checkedAt: source.checkedAt,
    };
  }
}
