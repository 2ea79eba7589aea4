/** Where an indexed passage comes from. */
export type SourceKind = 'entity' | 'doc' | 'techdocs' | 'ingestor';

/** One retrieved passage, as numbered in the prompt and cited as [n] in the answer. */
export interface Passage {
  /** The number the answer cites it by, from 1. */
  n: number;
  /** Stable id of the indexed source, e.g. `entity:component:default/webapp` or `doc:docs/overview.md`. */
  sourceId: string;
  kind: SourceKind;
  title: string;
  /** Heading path inside the source (`Overview › Kafka`), when it has headings. */
  heading?: string;
  /** Where a citation links to: an entity page, a doc (section anchor included), or an external URL. */
  url: string;
  /** The entity the passage was derived from (which is what decides who may read it). */
  entityRef?: string;
  /** The passage text given to the model. */
  text: string;
  /** Reciprocal-rank-fusion score. */
  score: number;
  /** Cosine similarity to the question, when vector retrieval found it. */
  similarity?: number;
  /** Share of the question's terms found in the passage, when full-text retrieval found it. */
  termCoverage?: number;
}

/**
 * How an answer was produced:
 * - `generative`: the chat model composed it from the passages;
 * - `extractive`: sentences quoted from the passages (no chat model configured, or it failed);
 * - `nothing-found`: no passage passed the relevance threshold; the answer says so.
 */
export type AnswerMode = 'generative' | 'extractive' | 'nothing-found';

export type MessageStatus = 'complete' | 'stopped' | 'error';

export interface AnswerUsage {
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  /** From the request reaching the portal to the first answer token sent on. */
  timeToFirstTokenMs?: number;
  /** The model's own share of it: from the chat request to its first token. */
  modelTimeToFirstTokenMs?: number;
  /** Retrieval, of which the question's embedding (a call to the embeddings model). */
  retrievalMs: number;
  embeddingMs?: number;
  totalMs: number;
}

export type FeedbackRating = 'up' | 'down';

export interface Feedback {
  rating: FeedbackRating;
  comment?: string;
  createdAt: string;
}

/** One question and its answer in a conversation. */
export interface ChatMessage {
  id: string;
  conversationId: string;
  question: string;
  answer: string;
  passages: Passage[];
  /** The passage numbers that the answer cites. */
  citations: number[];
  mode: AnswerMode;
  /** Things the asker should know about this answer, e.g. which config key would improve it. */
  notices: string[];
  status: MessageStatus;
  error?: string;
  usage?: AnswerUsage;
  feedback?: Feedback;
  createdAt: string;
}

export interface ConversationSummary {
  id: string;
  title: string;
  /** The entity the conversation is about, for conversations started on an entity page. */
  entityRef?: string;
  createdAt: string;
  updatedAt: string;
  messageCount: number;
}

export interface Conversation extends ConversationSummary {
  messages: ChatMessage[];
}

/** Body of `POST /chat`. */
export interface AskRequest {
  question: string;
  /** Continue this conversation (its earlier turns are given to the model). */
  conversationId?: string;
  /** Scope retrieval to this entity and the entities it is related to. */
  entityRef?: string;
}

/**
 * Events of the `POST /chat` server-sent-event stream, in order: one `start`,
 * any number of `delta`, then `done` (or `error`).
 */
export type ChatStreamEvent =
  | {
      type: 'start';
      conversationId: string;
      messageId: string;
      passages: Passage[];
      mode: AnswerMode;
      notices: string[];
    }
  | { type: 'delta'; text: string }
  /** A notice that arises while answering, e.g. the chat model failed and the answer falls back. */
  | { type: 'notice'; notice: string; mode: AnswerMode }
  | { type: 'done'; message: ChatMessage }
  | { type: 'error'; message: string };

export interface IndexedSourceStats {
  kind: SourceKind;
  sources: number;
  chunks: number;
  embeddedChunks: number;
  /** Most recent time a source of this kind was (re-)indexed. */
  lastIndexedAt?: string;
}

/** Answer of `GET /status`: what the chat can do right now, and why not more. */
export interface RagChatStatus {
  chat: { configured: boolean; model?: string };
  /** inProcess: the model runs in the backend (no endpoint configured). */
  embeddings: {
    configured: boolean;
    model?: string;
    dimensions: number;
    inProcess?: boolean;
  };
  store: { kind: 'embedded' | 'postgres'; pgvector?: string; error?: string };
  index: {
    sources: IndexedSourceStats[];
    lastRunAt?: string;
    lastRunError?: string;
    running: boolean;
  };
  /** Plain sentences naming the config keys that would make the chat better. */
  notices: string[];
  limits: { maxQuestionChars: number; questionsPerMinute: number };
}

/** A doc or entity as the chat indexed it (the target of a citation). */
export interface IndexedSource {
  sourceId: string;
  kind: SourceKind;
  title: string;
  url: string;
  entityRef?: string;
  /** The full text that was chunked. */
  text: string;
  contentHash: string;
  indexedAt: string;
  checkedAt: string;
}

/**
 * One line of the feedback export: a question with what the chat retrieved and
 * answered, and how the asker rated it; a regression case for the retrieval and
 * the prompt.
 */
export interface RegressionCase {
  question: string;
  entityRef?: string;
  rating: FeedbackRating;
  comment?: string;
  answer: string;
  mode: AnswerMode;
  /** The sources of the passages the answer cited: what a good answer should cite again. */
  citedSources: string[];
  passages: Array<Pick<Passage, 'n' | 'sourceId' | 'title' | 'heading'>>;
  askedBy: string;
  askedAt: string;
  ratedAt: string;
}
