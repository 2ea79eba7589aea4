import {
  BackstageCredentials,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import {
  AskRequest,
  ChatMessage,
  ChatStreamEvent,
  Conversation,
  ConversationSummary,
  FeedbackRating,
  IndexedSource,
  RagChatStatus,
  RegressionCase,
} from '@internal/plugin-rag-chat-common';

/** Who asks: the identity the catalog's read permission is checked for. */
export interface Asker {
  userRef: string;
  /** The user and the groups they belong to (for docs restricted to a group). */
  principalRefs: string[];
  credentials: BackstageCredentials<BackstageUserPrincipal>;
}

/** A question that passed every check, ready to stream its answer. */
export interface PreparedAnswer {
  conversationId: string;
  messageId: string;
  /** Streams the answer through `emit`; resolves with the stored message. */
  stream(
    emit: (event: ChatStreamEvent) => void,
    signal: AbortSignal,
  ): Promise<ChatMessage>;
}

export interface RagChatService {
  status(): Promise<RagChatStatus>;
  /**
   * Checks the question (length, rate, conversation, entity) before anything
   * is streamed, so that a refusal is a plain 4xx response.
   */
  prepareAnswer(request: AskRequest, asker: Asker): Promise<PreparedAnswer>;
  listConversations(userRef: string): Promise<ConversationSummary[]>;
  getConversation(userRef: string, id: string): Promise<Conversation>;
  deleteConversation(userRef: string, id: string): Promise<void>;
  setFeedback(
    userRef: string,
    messageId: string,
    feedback: { rating: FeedbackRating; comment?: string },
  ): Promise<void>;
  exportFeedback(): Promise<RegressionCase[]>;
  getSource(sourceId: string, asker: Asker): Promise<IndexedSource>;
  /**
   * What the scheduled index task runs at every check: an incremental index run
   * when one is due (ragChat.index.intervalMinutes, or sooner while the catalog
   * is still settling after start-up).
   */
  reindexIfDue(): Promise<void>;
}
