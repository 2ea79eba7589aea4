import { randomUUID } from 'node:crypto';
import {
  AuthService,
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AnswerMode,
  AnswerUsage,
  AskRequest,
  ChatMessage,
  ChatStreamEvent,
  Conversation,
  FeedbackRating,
  IndexedSource,
  MessageStatus,
  Passage,
  RagChatStatus,
  citedPassages,
} from '@internal/plugin-rag-chat-common';
import { RagChatConfig, configurationNotices } from '../config';
import { IndexRunResult, Indexer } from '../indexing/Indexer';
import { ChatClient, EmbeddingsClient } from '../model/openai';
import { AccessFilter, ChunkStore } from '../store/ChunkStore';
import { StoreConnection, connectStore } from '../store/connect';
import { ConversationStore } from './ConversationStore';
import { RateLimiter, ReadableEntities } from './access';
import { describeFailure } from './errors';
import {
  NOTHING_FOUND_ANSWER,
  buildMessages,
  extractiveAnswer,
} from './prompt';
import { Retriever } from './Retriever';
import { Asker, PreparedAnswer, RagChatService } from './types';

/** Everything that lives in the vector store, opened (and re-opened) together. */
interface StoreParts {
  connection: StoreConnection;
  store: ChunkStore;
  indexer: Indexer;
  retriever: Retriever;
}

export interface RagChatServiceOptions {
  config: RagChatConfig;
  logger: LoggerService;
  database: DatabaseService;
  catalog: CatalogService;
  auth: AuthService;
}

/** The index's sources as the status names them, with the keys behind them. */
const INDEX_SOURCES = {
  entity: 'catalog (ragChat.sources.catalog)',
  doc: 'docs (ragChat.sources.docs.paths)',
  ingestor: "ingestors' embeddings (ragChat.sources.ingestorEmbeddings)",
} as const;

/** Splits an extractive answer into a few deltas, so it streams like a model's. */
function pieces(text: string): string[] {
  return text.match(/[^\n]*\n?/g)?.filter(Boolean) ?? [text];
}

/**
 * The chat: retrieval over the index with the asker's permissions, answers
 * streamed from the chat model (or extracted from the passages when there is
 * none, or it fails), conversations and feedback, and the index runs.
 */
export class DefaultRagChatService implements RagChatService {
  static async create(
    options: RagChatServiceOptions,
  ): Promise<DefaultRagChatService> {
    const conversations = await ConversationStore.create(options.database);
    const service = new DefaultRagChatService(options, conversations);
    // A store that is down at start-up is reported (and retried) per request.
    await service.parts().catch(() => undefined);
    return service;
  }

  private readonly embeddings?: EmbeddingsClient;
  private readonly chat?: ChatClient;
  private readonly readable: ReadableEntities;
  private readonly limiter: RateLimiter;
  private storeParts?: Promise<StoreParts>;
  private storeError?: string;
  private lastRun?: IndexRunResult;
  private lastRunError?: string;
  private running?: Promise<IndexRunResult>;

  private constructor(
    private readonly options: RagChatServiceOptions,
    private readonly conversations: ConversationStore,
  ) {
    const { config } = options;
    this.embeddings =
      config.embeddings &&
      new EmbeddingsClient(config.embeddings, config.dimensions);
    this.chat = config.chat && new ChatClient(config.chat);
    this.readable = new ReadableEntities(options.catalog);
    this.limiter = new RateLimiter(config.limits.questionsPerMinute);
  }

  private parts(): Promise<StoreParts> {
    if (!this.storeParts) {
      const { config, logger, catalog, auth } = this.options;
      this.storeParts = (async () => {
        const connection = await connectStore({
          connection: config.store.connection,
          dataDir: config.store.dataDir,
          logger,
        });
        try {
          const store = await ChunkStore.create({
            pool: connection.pool,
            schema: config.store.schema,
            dimensions: config.dimensions,
            efSearch: config.store.efSearch,
          });
          const indexer = new Indexer({
            config,
            store,
            storePool: connection.pool,
            embeddings: this.embeddings,
            catalog,
            auth,
            logger,
          });
          const retriever = new Retriever({
            store,
            embeddings: this.embeddings,
            retrieval: config.retrieval,
          });
          this.storeError = undefined;
          return { connection, store, indexer, retriever };
        } catch (error) {
          await connection.close().catch(() => {});
          throw error;
        }
      })();
      this.storeParts.catch(error => {
        // The full error (which may name hosts) is logged; users see what went wrong.
        logger.error('RAG chat: the vector store is unavailable', {
          store: config.store.connection ? 'postgres' : 'embedded',
          error: String(error),
        });
        this.storeError = `The chat's vector store ${describeFailure(
          error,
        )}. Check ragChat.store.connection (unset: the embedded PGlite store); the backend log has the details.`;
        this.storeParts = undefined;
      });
    }
    return this.storeParts;
  }

  private async requireParts(): Promise<StoreParts> {
    try {
      return await this.parts();
    } catch (error) {
      throw new ServiceUnavailableError(
        this.storeError ??
          `The chat's vector store ${describeFailure(
            error,
          )}. Check ragChat.store.connection (unset: the embedded PGlite store).`,
      );
    }
  }

  async close() {
    const parts = await this.storeParts?.catch(() => undefined);
    await parts?.indexer.close();
    await parts?.connection.close();
  }

  async reindex(): Promise<IndexRunResult> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        const { indexer } = await this.requireParts();
        const result = await indexer.run();
        this.lastRun = result;
        // The errors are already the safe summaries (Indexer logs the full ones).
        const errors = (['entity', 'doc', 'ingestor'] as const)
          .map(
            k => result[k]?.error && `${INDEX_SOURCES[k]}: ${result[k]?.error}`,
          )
          .filter(Boolean);
        this.lastRunError = errors.length ? errors.join('; ') : undefined;
        return result;
      } catch (error) {
        this.lastRunError =
          error instanceof ServiceUnavailableError
            ? error.message
            : `The index run ${describeFailure(
                error,
              )}; the backend log has the details.`;
        if (!(error instanceof ServiceUnavailableError)) {
          this.options.logger.error('RAG chat: the index run failed', {
            error: String(error),
          });
        }
        throw error;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** The last run, e.g. for the scheduled task to decide whether the catalog has settled. */
  get lastIndexRun(): IndexRunResult | undefined {
    return this.lastRun;
  }

  async status(): Promise<RagChatStatus> {
    const { config } = this.options;
    let parts: StoreParts | undefined;
    try {
      parts = await this.parts();
    } catch {
      // reported below
    }
    const notices = configurationNotices(config);
    if (this.storeError) {
      notices.unshift(this.storeError);
    }
    return {
      chat: { configured: !!config.chat, model: config.chat?.model },
      embeddings: {
        configured: !!config.embeddings,
        model: config.embeddings?.model,
        dimensions: config.dimensions,
      },
      store: {
        kind: config.store.connection ? 'postgres' : 'embedded',
        pgvector: parts?.store.version,
        error: this.storeError,
      },
      index: {
        sources: parts ? await parts.store.stats() : [],
        lastRunAt: this.lastRun?.startedAt,
        lastRunError: this.lastRunError,
        running: !!this.running,
      },
      notices,
      limits: {
        maxQuestionChars: config.limits.maxQuestionChars,
        questionsPerMinute: config.limits.questionsPerMinute,
      },
    };
  }

  private async accessFor(
    asker: Asker,
    scopeEntityRefs?: string[],
  ): Promise<AccessFilter> {
    return {
      readableEntityRefs: await this.readable.forUser(
        asker.userRef,
        asker.credentials,
      ),
      principalRefs: asker.principalRefs,
      scopeEntityRefs,
    };
  }

  async prepareAnswer(
    request: AskRequest,
    asker: Asker,
  ): Promise<PreparedAnswer> {
    const started = performance.now();
    const { config, catalog } = this.options;
    const question = request.question.trim();
    if (!question) throw new InputError('The question is empty');
    if (question.length > config.limits.maxQuestionChars) {
      throw new InputError(
        `The question is ${question.length} characters long; the limit is ${config.limits.maxQuestionChars} characters (ragChat.limits.maxQuestionChars)`,
      );
    }
    let history: ChatMessage[] = [];
    let entityRef = request.entityRef;
    let conversationId = request.conversationId;
    if (conversationId) {
      const conversation = await this.conversations.getConversation(
        asker.userRef,
        conversationId,
      );
      if (!conversation) {
        throw new NotFoundError(`No conversation ${conversationId}`);
      }
      history = await this.conversations.getMessages(conversationId);
      entityRef = entityRef ?? conversation.entityRef;
    }
    let scope: string[] | undefined;
    if (entityRef) {
      const entity = await catalog.getEntityByRef(entityRef, {
        credentials: asker.credentials,
      });
      if (!entity) throw new NotFoundError(`No entity ${entityRef}`);
      scope = [entityRef, ...(entity.relations ?? []).map(r => r.targetRef)];
    }
    this.limiter.check(asker.userRef);
    const parts = await this.requireParts();
    const isNew = !conversationId;
    conversationId = conversationId ?? randomUUID();
    const messageId = randomUUID();
    const recent = history
      .filter(m => m.status !== 'error')
      .slice(-config.limits.historyTurns);
    return {
      conversationId,
      messageId,
      stream: async (emit, signal) => {
        // Stored while the answer is retrieved and streamed, not before: the first token
        // does not wait for it.
        const created = isNew
          ? this.conversations.createConversation({
              id: conversationId!,
              userRef: asker.userRef,
              title: question.slice(0, 120),
              entityRef,
            })
          : Promise.resolve();
        created.catch(() => undefined);
        const message = await this.answer({
          parts,
          question,
          history: recent,
          access: await this.accessFor(asker, scope),
          conversationId: conversationId!,
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

  private async answer(args: {
    parts: StoreParts;
    question: string;
    history: ChatMessage[];
    access: AccessFilter;
    conversationId: string;
    messageId: string;
    started: number;
    emit: (event: ChatStreamEvent) => void;
    signal: AbortSignal;
  }): Promise<ChatMessage> {
    const { parts, question, history, access, emit, signal, started } = args;
    const { config, logger } = this.options;
    // A follow-up ("who owns it?") is retrieved together with the question before it.
    const previous = history[history.length - 1]?.question;
    const query = previous ? `${question}\n${previous}` : question;
    const retrieval = await parts.retriever.retrieve(query, access);
    const notices = configurationNotices(config);
    if (retrieval.embeddingError) {
      logger.warn('RAG chat: the embeddings endpoint failed; full-text only', {
        baseUrl: config.embeddings?.baseUrl,
        model: config.embeddings?.model,
        error: retrieval.embeddingErrorDetail,
      });
      notices.push(
        `The embeddings endpoint ${retrieval.embeddingError}, so this answer used full-text search only. Check ragChat.embeddings.baseUrl and ragChat.embeddings.model.`,
      );
    }
    const passages = retrieval.passages;
    let mode: AnswerMode = 'generative';
    if (passages.length === 0) mode = 'nothing-found';
    else if (!this.chat) mode = 'extractive';

    emit({
      type: 'start',
      conversationId: args.conversationId,
      messageId: args.messageId,
      passages,
      mode,
      notices,
    });

    let answer = '';
    let firstTokenAt: number | undefined;
    let modelFirstTokenMs: number | undefined;
    let status: MessageStatus = 'complete';
    let error: string | undefined;
    const usage: Partial<AnswerUsage> = {};
    const send = (text: string) => {
      if (firstTokenAt === undefined) firstTokenAt = performance.now();
      answer += text;
      emit({ type: 'delta', text });
    };
    const sendExtractive = (ps: Passage[]) => {
      for (const piece of pieces(extractiveAnswer(question, ps))) send(piece);
    };

    if (mode === 'nothing-found') {
      send(NOTHING_FOUND_ANSWER);
    } else if (mode === 'extractive' || !this.chat) {
      sendExtractive(passages);
    } else {
      const chatStarted = performance.now();
      const upstream = new AbortController();
      const onAbort = () => upstream.abort();
      signal.addEventListener('abort', onAbort);
      const timer = setTimeout(
        () => upstream.abort(new Error('no first token in time')),
        config.chat!.firstTokenTimeoutMs,
      );
      try {
        for await (const part of this.chat.stream(
          buildMessages({ question, passages, history }),
          upstream.signal,
        )) {
          if (part.delta) {
            if (modelFirstTokenMs === undefined) {
              clearTimeout(timer);
              modelFirstTokenMs = performance.now() - chatStarted;
            }
            send(part.delta);
          }
          if (part.usage) {
            usage.promptTokens = part.usage.promptTokens;
            usage.completionTokens = part.usage.completionTokens;
          }
        }
        usage.model = this.chat.model;
      } catch (e) {
        if (signal.aborted) {
          status = 'stopped';
        } else if (answer === '') {
          // Nothing sent yet: answer from the passages instead, and say why. The
          // endpoint's address and the full error go to the log only.
          const timedOut =
            upstream.signal.aborted && upstream.signal.reason instanceof Error;
          const reason = timedOut
            ? `sent no first token within ${
                config.chat!.firstTokenTimeoutMs / 1000
              } s (ragChat.chat.firstTokenTimeoutSeconds)`
            : describeFailure(e);
          logger.warn(
            'RAG chat: the chat model failed before its first token; answering from the passages',
            {
              baseUrl: config.chat!.baseUrl,
              model: config.chat!.model,
              error: timedOut ? String(upstream.signal.reason) : String(e),
            },
          );
          const notice = `The chat model ${reason}, so this answer quotes the passages instead. Check ragChat.chat.baseUrl and ragChat.chat.model.`;
          mode = 'extractive';
          notices.push(notice);
          emit({ type: 'notice', notice, mode });
          sendExtractive(passages);
        } else {
          status = 'error';
          error = `The chat model stopped mid-answer (it ${describeFailure(
            e,
          )}). Ask again; if it keeps happening, check the model server behind ragChat.chat.baseUrl.`;
          logger.warn('RAG chat: the chat model stopped mid-answer', {
            baseUrl: config.chat!.baseUrl,
            model: config.chat!.model,
            error: String(e),
          });
        }
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
    }
    if (signal.aborted) status = 'stopped';

    const totalMs = performance.now() - started;
    return {
      id: args.messageId,
      conversationId: args.conversationId,
      question,
      answer,
      passages,
      citations:
        mode === 'nothing-found' ? [] : citedPassages(answer, passages.length),
      mode,
      notices,
      status,
      error,
      usage: {
        ...usage,
        timeToFirstTokenMs:
          firstTokenAt === undefined
            ? undefined
            : Math.round(firstTokenAt - started),
        modelTimeToFirstTokenMs:
          modelFirstTokenMs === undefined
            ? undefined
            : Math.round(modelFirstTokenMs),
        retrievalMs: Math.round(retrieval.retrievalMs),
        embeddingMs:
          retrieval.embeddingMs === undefined
            ? undefined
            : Math.round(retrieval.embeddingMs),
        totalMs: Math.round(totalMs),
      },
      createdAt: new Date().toISOString(),
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
    const { store } = await this.requireParts();
    const source = await store.getSource(sourceId);
    const access = await this.accessFor(asker);
    // Not readable reads as not there: a refusal would confirm that it exists.
    if (
      !source ||
      (source.entityRef &&
        !access.readableEntityRefs.includes(source.entityRef)) ||
      (source.restrictedTo &&
        !access.principalRefs.includes(source.restrictedTo))
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
