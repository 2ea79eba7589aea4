import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  AnswerMode,
  AnswerUsage,
  ChatMessage,
  ChatStreamEvent,
  MessageStatus,
  Passage,
  citedPassages,
} from '@internal/plugin-rag-chat-common';
import {
  RagChatConfig,
  configurationNotices,
  embeddingsSource,
} from '../config';
import { ChatClient } from '../model/openai';
import { describeFailure } from './errors';
import {
  NOTHING_FOUND_ANSWER,
  answerPieces,
  extractiveAnswer,
} from './fallback';
import { buildMessages } from './prompt';
import { AskerAccess, Retrieval, Retriever } from './Retriever';

/** What a question's passages are retrieved with. */
export interface RetrieveRequest {
  retriever: Retriever;
  question: string;
  /** The earlier turns sent along (the last ones, without failed answers). */
  history: ChatMessage[];
  access: AskerAccess;
}

/** A question's passages, and the notices that go with its answer. */
export interface Retrieved {
  retrieval: Retrieval;
  notices: string[];
}

/** One question to answer, after every check has passed. */
export interface AnswerRequest extends RetrieveRequest {
  /**
   * Its passages, from `retrieve`: started before the answer (while the ask permission
   * is decided), awaited here.
   */
  retrieved: Promise<Retrieved>;
  conversationId: string;
  messageId: string;
  /** When the request came in (performance.now()), for the timings. */
  started: number;
  emit: (event: ChatStreamEvent) => void;
  signal: AbortSignal;
}

/** The answer as it streams: its text, and when its first token went out. */
class AnswerText {
  text = '';
  firstTokenAt?: number;

  constructor(private readonly emit: (event: ChatStreamEvent) => void) {}

  send(text: string) {
    if (this.firstTokenAt === undefined) this.firstTokenAt = performance.now();
    this.text += text;
    this.emit({ type: 'delta', text });
  }
}

/** How the chat model's part of an answer ended. */
interface ModelOutcome {
  mode: AnswerMode;
  status: MessageStatus;
  error?: string;
  /** Why the answer falls back to the passages (mode 'extractive'). */
  notice?: string;
  usage: Partial<AnswerUsage>;
  modelFirstTokenMs?: number;
}

const round = (ms?: number) => (ms === undefined ? undefined : Math.round(ms));

/**
 * Answers a question: retrieves the passages, then streams the chat model's
 * answer, or the fallback's (the passages' own sentences) when there is no
 * model or it fails before its first token, or says that nothing was found.
 */
export class Answerer {
  private readonly chat?: ChatClient;

  constructor(
    private readonly options: { config: RagChatConfig; logger: LoggerService },
  ) {
    const { chat } = options.config;
    this.chat = chat && new ChatClient(chat);
  }

  async answer(request: AnswerRequest): Promise<ChatMessage> {
    const { question, emit, signal, started } = request;
    const { retrieval, notices } = await request.retrieved;
    const { passages } = retrieval;
    let mode: AnswerMode = 'generative';
    if (passages.length === 0) mode = 'nothing-found';
    else if (!this.chat) mode = 'extractive';
    emit({
      type: 'start',
      conversationId: request.conversationId,
      messageId: request.messageId,
      passages,
      mode,
      notices,
    });

    const answer = new AnswerText(emit);
    let outcome: ModelOutcome = { mode, status: 'complete', usage: {} };
    if (mode === 'nothing-found') {
      answer.send(NOTHING_FOUND_ANSWER);
    } else if (mode === 'extractive' || !this.chat) {
      this.sendExtractive(answer, question, passages);
    } else {
      outcome = await this.fromModel(this.chat, request, passages, answer);
      if (outcome.notice) {
        notices.push(outcome.notice);
        emit({ type: 'notice', notice: outcome.notice, mode: outcome.mode });
        this.sendExtractive(answer, question, passages);
      }
    }
    const status: MessageStatus = signal.aborted ? 'stopped' : outcome.status;
    return {
      id: request.messageId,
      conversationId: request.conversationId,
      question,
      answer: answer.text,
      passages,
      citations:
        outcome.mode === 'nothing-found'
          ? []
          : citedPassages(answer.text, passages.length),
      mode: outcome.mode,
      notices,
      status,
      error: outcome.error,
      usage: {
        ...outcome.usage,
        timeToFirstTokenMs: round(
          answer.firstTokenAt === undefined
            ? undefined
            : answer.firstTokenAt - started,
        ),
        modelTimeToFirstTokenMs: round(outcome.modelFirstTokenMs),
        retrievalMs: Math.round(retrieval.retrievalMs),
        embeddingMs: round(retrieval.embeddingMs),
        totalMs: Math.round(performance.now() - started),
      },
      createdAt: new Date().toISOString(),
    };
  }

  /** The passages, and the notices that go with this answer. */
  async retrieve(request: RetrieveRequest): Promise<Retrieved> {
    const { config, logger } = this.options;
    const { question, history } = request;
    // A follow-up ("who owns it?") is retrieved together with the question before it.
    const previous = history[history.length - 1]?.question;
    const query = previous ? `${question}\n${previous}` : question;
    const retrieval = await request.retriever.retrieve(query, request.access);
    const notices = configurationNotices(config);
    if (retrieval.embeddingError) {
      const source = embeddingsSource(config);
      logger.warn('RAG chat: embedding the question failed; full-text only', {
        embeddings: source?.kind,
        baseUrl: config.embeddings?.baseUrl,
        model: source?.model,
        error: retrieval.embeddingErrorDetail,
      });
      const what = source?.description ?? 'the embeddings';
      notices.push(
        `${what[0].toUpperCase()}${what.slice(1)} ${
          retrieval.embeddingError
        }, so this answer used full-text search only. Check ${
          source?.keys ?? 'ragChat.embeddings'
        }.`,
      );
    }
    return { retrieval, notices };
  }

  private sendExtractive(
    answer: AnswerText,
    question: string,
    passages: Passage[],
  ) {
    for (const piece of answerPieces(extractiveAnswer(question, passages))) {
      answer.send(piece);
    }
  }

  /**
   * Streams the chat model's answer. A model that fails before its first token
   * comes back as mode 'extractive' with the notice that says why;
   * one that stops mid-answer as status 'error'. Endpoint addresses and the full
   * errors go to the log only.
   */
  private async fromModel(
    chat: ChatClient,
    request: AnswerRequest,
    passages: Passage[],
    answer: AnswerText,
  ): Promise<ModelOutcome> {
    const { config, logger } = this.options;
    const { firstTokenTimeoutMs, baseUrl, model } = config.chat!;
    const { question, history, signal } = request;
    const usage: Partial<AnswerUsage> = {};
    let modelFirstTokenMs: number | undefined;
    const chatStarted = performance.now();
    const upstream = new AbortController();
    const onAbort = () => upstream.abort();
    signal.addEventListener('abort', onAbort);
    const timer = setTimeout(
      () =>
        upstream.abort(new ServiceUnavailableError('no first token in time')),
      firstTokenTimeoutMs,
    );
    try {
      for await (const part of chat.stream(
        buildMessages({ question, passages, history }),
        upstream.signal,
      )) {
        if (part.delta) {
          if (modelFirstTokenMs === undefined) {
            clearTimeout(timer);
            modelFirstTokenMs = performance.now() - chatStarted;
          }
          answer.send(part.delta);
        }
        if (part.usage) {
          usage.promptTokens = part.usage.promptTokens;
          usage.completionTokens = part.usage.completionTokens;
        }
      }
      usage.model = chat.model;
      return {
        mode: 'generative',
        status: 'complete',
        usage,
        modelFirstTokenMs,
      };
    } catch (e) {
      const failed = { usage, modelFirstTokenMs };
      if (signal.aborted) {
        return { ...failed, mode: 'generative', status: 'stopped' };
      }
      if (answer.text === '') {
        // Nothing sent yet: the fallback answers from the passages instead, and says why.
        const timedOut =
          upstream.signal.aborted && upstream.signal.reason instanceof Error;
        const reason = timedOut
          ? `sent no first token within ${
              firstTokenTimeoutMs / 1000
            } s (ragChat.chat.firstTokenTimeoutSeconds)`
          : describeFailure(e);
        logger.warn(
          'RAG chat: the chat model failed before its first token; answering from the passages',
          {
            baseUrl,
            model,
            error: timedOut ? String(upstream.signal.reason) : String(e),
          },
        );
        return {
          ...failed,
          mode: 'extractive',
          status: 'complete',
          notice: `The chat model ${reason}, so this answer quotes the passages instead. Check ragChat.chat.baseUrl and ragChat.chat.model.`,
        };
      }
      logger.warn('RAG chat: the chat model stopped mid-answer', {
        baseUrl,
        model,
        error: String(e),
      });
      return {
        ...failed,
        mode: 'generative',
        status: 'error',
        error: `The chat model stopped mid-answer (it ${describeFailure(
          e,
        )}). Ask again; if it keeps happening, check the model server behind ragChat.chat.baseUrl.`,
      };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }
}
