import { ResponseError } from '@backstage/errors';
import {
  ChatStreamEvent,
  formatChatStreamEvent,
} from '@internal/plugin-rag-chat-common';
import { answerEvents } from '../testing/fixtures';
import { RagChatClient } from './RagChatClient';

const baseUrl = 'http://backend.test/api/rag-chat';

function setup(response: Response) {
  const discoveryApi = { getBaseUrl: jest.fn(async () => baseUrl) };
  const fetch = jest.fn(async (_input: any, _init?: any) => response);
  const client = new RagChatClient({ discoveryApi, fetchApi: { fetch } });
  return { client, fetch, discoveryApi };
}

/** A streamed body that arrives in uneven pieces, cutting events in half. */
function sseResponse(events: ChatStreamEvent[]): Response {
  const wire = new TextEncoder().encode(
    events.map(formatChatStreamEvent).join(''),
  );
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < wire.length; i += 37) {
        controller.enqueue(wire.slice(i, i + 37));
      }
      controller.close();
    },
  });
  return new Response(body, {
    headers: { 'Content-Type': 'text/event-stream' },
  });
}

describe('RagChatClient', () => {
  it('posts the question and hands over each streamed event as it arrives', async () => {
    const events = answerEvents();
    const { client, fetch, discoveryApi } = setup(sseResponse(events));
    const seen: ChatStreamEvent[] = [];

    const message = await client.ask(
      { question: 'How many brokers?', entityRef: 'component:default/x' },
      { onEvent: e => seen.push(e) },
    );

    expect(discoveryApi.getBaseUrl).toHaveBeenCalledWith('rag-chat');
    expect(fetch.mock.calls[0][0]).toBe(`${baseUrl}/chat`);
    expect(fetch.mock.calls[0][1].method).toBe('POST');
    expect(JSON.parse(fetch.mock.calls[0][1].body)).toEqual({
      question: 'How many brokers?',
      entityRef: 'component:default/x',
    });
    expect(seen).toEqual(events);
    const done = events[events.length - 1];
    expect(message).toEqual(done.type === 'done' ? done.message : undefined);
  });

  it('turns a refusal into a ResponseError carrying the backend message', async () => {
    const { client } = setup(
      new Response(
        JSON.stringify({
          error: {
            name: 'InputError',
            message:
              'The question is 102400 characters long; the limit is 4000 characters (ragChat.limits.maxQuestionChars)',
          },
          response: { statusCode: 400 },
        }),
        { status: 400, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    const error = await client
      .ask({ question: 'x' }, { onEvent: () => {} })
      .catch(e => e);
    expect(ResponseError.is(error)).toBe(true);
    expect(error.cause.message).toMatch(/ragChat\.limits\.maxQuestionChars/);
  });

  it('sends feedback and deletes conversations with escaped ids', async () => {
    const { client, fetch } = setup(new Response(null, { status: 204 }));
    await client.sendFeedback('m/1', { rating: 'down', comment: 'wrong' });
    expect(fetch.mock.calls[0][0]).toBe(`${baseUrl}/messages/m%2F1/feedback`);
    expect(fetch.mock.calls[0][1]).toMatchObject({ method: 'PUT' });
    expect(JSON.parse(fetch.mock.calls[0][1].body)).toEqual({
      rating: 'down',
      comment: 'wrong',
    });
  });
});
