import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AskRequest,
  ChatMessage,
  ChatStreamEvent,
  Conversation,
  ConversationSummary,
  FeedbackRating,
  IndexedSource,
  RagChatStatus,
  SseParser,
  toChatStreamEvent,
} from '@internal/plugin-rag-chat-common';
import { RagChatApi } from './RagChatApi';

/** Talks to the rag-chat backend through the app's discovery and fetch APIs. */
export class RagChatClient implements RagChatApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getStatus(): Promise<RagChatStatus> {
    return this.json('/status');
  }

  async ask(
    request: AskRequest,
    options: {
      onEvent: (event: ChatStreamEvent) => void;
      signal?: AbortSignal;
    },
  ): Promise<ChatMessage | undefined> {
    const res = await this.request('/chat', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'text/event-stream',
      },
      body: JSON.stringify(request),
      signal: options.signal,
    });
    if (!res.body) {
      throw new Error('The chat answered without a body to stream');
    }
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    let message: ChatMessage | undefined;
    const handle = (text: string) => {
      for (const raw of parser.push(text)) {
        const event = toChatStreamEvent(raw);
        if (!event) continue;
        if (event.type === 'done') message = event.message;
        options.onEvent(event);
      }
    };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        handle(decoder.decode(value, { stream: true }));
      }
      handle(decoder.decode());
    } catch (error) {
      if (options.signal?.aborted) return message;
      throw error;
    }
    return message;
  }

  listConversations(): Promise<ConversationSummary[]> {
    return this.json('/conversations');
  }

  getConversation(id: string): Promise<Conversation> {
    return this.json(`/conversations/${encodeURIComponent(id)}`);
  }

  async deleteConversation(id: string): Promise<void> {
    await this.request(`/conversations/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }

  async sendFeedback(
    messageId: string,
    feedback: { rating: FeedbackRating; comment?: string },
  ): Promise<void> {
    await this.request(`/messages/${encodeURIComponent(messageId)}/feedback`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(feedback),
    });
  }

  getSource(sourceId: string): Promise<IndexedSource> {
    return this.json(`/sources/${encodeURIComponent(sourceId)}`);
  }

  async exportFeedback(): Promise<string> {
    return (await this.request('/feedback/export')).text();
  }

  private async request(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('rag-chat');
    const res = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return res;
  }

  private async json<T>(path: string): Promise<T> {
    return (await (await this.request(path)).json()) as T;
  }
}
