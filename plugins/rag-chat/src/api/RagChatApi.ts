import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  AskRequest,
  ChatMessage,
  ChatStreamEvent,
  Conversation,
  ConversationSummary,
  FeedbackRating,
  IndexedSource,
  RagChatStatus,
} from '@internal/plugin-rag-chat-common';

/** Client of the rag-chat backend plugin. */
export interface RagChatApi {
  getStatus(): Promise<RagChatStatus>;
  /**
   * Asks a question; `onEvent` gets each event of the streamed answer as it
   * arrives. Resolves with the stored message (undefined when the stream ended
   * without one, e.g. aborted). Aborting `signal` stops the answer.
   */
  ask(
    request: AskRequest,
    options: {
      onEvent: (event: ChatStreamEvent) => void;
      signal?: AbortSignal;
    },
  ): Promise<ChatMessage | undefined>;
  listConversations(): Promise<ConversationSummary[]>;
  getConversation(id: string): Promise<Conversation>;
  deleteConversation(id: string): Promise<void>;
  sendFeedback(
    messageId: string,
    feedback: { rating: FeedbackRating; comment?: string },
  ): Promise<void>;
  getSource(sourceId: string): Promise<IndexedSource>;
  /** Every rated answer as regression cases, JSON Lines (permission rag.chat.feedback.export). */
  exportFeedback(): Promise<string>;
}

export const ragChatApiRef = createApiRef<RagChatApi>({
  id: 'plugin.rag-chat.service',
});
