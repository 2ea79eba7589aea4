import {
  ChatMessage,
  ChatStreamEvent,
  Passage,
  RagChatStatus,
} from '@internal/plugin-rag-chat-common';
import { RagChatApi } from '../api';

export const passage = (overrides: Partial<Passage> = {}): Passage => ({
  n: 1,
  sourceId: 'doc:docs/platform-overview.md',
  kind: 'doc',
  title: 'Platform overview',
  heading: 'Data path',
  url: '/rag-chat/sources/doc%3Adocs%2Fplatform-overview.md#data-path',
  text: 'The Kafka cluster has three brokers.',
  score: 1 / 61,
  ...overrides,
});

export const message = (overrides: Partial<ChatMessage> = {}): ChatMessage => ({
  id: 'm1',
  conversationId: 'c1',
  question: 'How many brokers?',
  answer: 'The Kafka cluster has three brokers [1].',
  passages: [passage()],
  citations: [1],
  mode: 'generative',
  notices: [],
  status: 'complete',
  createdAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

export const status = (
  overrides: Partial<RagChatStatus> = {},
): RagChatStatus => ({
  chat: { configured: true, model: 'platform-chat' },
  embeddings: { configured: true, model: 'all-MiniLM-L6-v2', dimensions: 384 },
  store: { kind: 'embedded', pgvector: '0.8.7' },
  index: {
    sources: [{ kind: 'doc', sources: 5, chunks: 30, embeddedChunks: 30 }],
    lastRunAt: '2026-01-01T00:00:00.000Z',
    running: false,
  },
  notices: [],
  limits: { maxQuestionChars: 4000, questionsPerMinute: 20 },
  ...overrides,
});

/** Streams the given events, one per tick, as the backend would. */
export function streaming(events: ChatStreamEvent[]): RagChatApi['ask'] {
  return async (_request, { onEvent }) => {
    let done: ChatMessage | undefined;
    for (const event of events) {
      await new Promise(r => setTimeout(r, 0));
      onEvent(event);
      if (event.type === 'done') done = event.message;
    }
    return done;
  };
}

export function answerEvents(m: ChatMessage = message()): ChatStreamEvent[] {
  const words = m.answer.match(/\S+\s*/g) ?? [];
  return [
    {
      type: 'start',
      conversationId: m.conversationId,
      messageId: m.id,
      passages: m.passages,
      mode: m.mode,
      notices: m.notices,
    },
    ...words.map(text => ({ type: 'delta' as const, text })),
    { type: 'done', message: m },
  ];
}

export function fakeApi(overrides: Partial<RagChatApi> = {}) {
  return {
    getStatus: jest.fn(async () => status()),
    ask: jest.fn(streaming(answerEvents())),
    listConversations: jest.fn(async () => []),
    getConversation: jest.fn(async () => ({
      id: 'c1',
      title: 'How many brokers?',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      messageCount: 1,
      messages: [message()],
    })),
    deleteConversation: jest.fn(async () => {}),
    sendFeedback: jest.fn(async () => {}),
    getSource: jest.fn(async () => ({
      sourceId: 'doc:docs/platform-overview.md',
      kind: 'doc' as const,
      title: 'Platform overview',
      url: '/rag-chat/sources/doc%3Adocs%2Fplatform-overview.md',
      text: '# Platform overview\n\n## Data path\n\nThree brokers.',
      contentHash: 'h',
      indexedAt: '2026-01-01T00:00:00.000Z',
      checkedAt: '2026-01-01T00:00:00.000Z',
    })),
    exportFeedback: jest.fn(async () => ''),
    ...overrides,
  } satisfies RagChatApi;
}
