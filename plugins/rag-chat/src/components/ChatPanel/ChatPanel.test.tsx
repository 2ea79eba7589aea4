import { renderInTestApp } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { ChatStreamEvent } from '@internal/plugin-rag-chat-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ragChatApiRef } from '../../api';
import {
  answerEvents,
  fakeApi,
  message,
  passage,
  streaming,
} from '../../testing/fixtures';
import { ChatPanel } from './ChatPanel';

function render(api: ReturnType<typeof fakeApi>, props = {}) {
  return renderInTestApp(<ChatPanel {...props} />, {
    apis: [[ragChatApiRef, api]],
  });
}

async function askQuestion(text: string) {
  await userEvent.type(screen.getByLabelText(/Ask a/), text);
  await userEvent.click(screen.getByRole('button', { name: 'Ask' }));
}

describe('ChatPanel', () => {
  it('streams the answer in, with citations linking to their sources', async () => {
    const m = message({
      answer: 'Three brokers [1], on EKS [2].',
      passages: [
        passage(),
        passage({
          n: 2,
          kind: 'entity',
          sourceId: 'entity:resource:default/eks-data-platform',
          title: 'EKS data platform (Resource)',
          heading: undefined,
          url: '/catalog/default/resource/eks-data-platform',
        }),
      ],
      citations: [1, 2],
    });
    const api = fakeApi({ ask: jest.fn(streaming(answerEvents(m))) });
    const onConversationStarted = jest.fn();
    render(api, {
      entityRef: 'component:default/webapp',
      onConversationStarted,
    });

    await askQuestion('How many brokers?');

    const answer = await screen.findByTestId('answer');
    await waitFor(() =>
      expect(answer).toHaveTextContent('Three brokers [1], on EKS [2].'),
    );
    expect(api.ask).toHaveBeenCalledWith(
      {
        question: 'How many brokers?',
        conversationId: undefined,
        entityRef: 'component:default/webapp',
      },
      expect.anything(),
    );
    expect(
      within(answer).getByRole('link', {
        name: 'Source 1: Platform overview › Data path',
      }),
    ).toHaveAttribute(
      'href',
      '/rag-chat/sources/doc%3Adocs%2Fplatform-overview.md#data-path',
    );
    expect(
      within(answer).getByRole('link', { name: /Source 2/ }),
    ).toHaveAttribute('href', '/catalog/default/resource/eks-data-platform');
    const sources = screen.getByRole('list', { name: 'Sources' });
    expect(within(sources).getAllByRole('listitem')).toHaveLength(2);
    expect(onConversationStarted).toHaveBeenCalledWith('c1');
  });

  it('asks follow-ups in the same conversation and takes thumbs with a comment', async () => {
    const api = fakeApi();
    render(api);
    await askQuestion('How many brokers?');
    await screen.findByText('Was this helpful?');

    await userEvent.click(screen.getByRole('button', { name: 'Not helpful' }));
    expect(api.sendFeedback).toHaveBeenCalledWith('m1', {
      rating: 'down',
      comment: undefined,
    });
    await userEvent.type(
      screen.getByLabelText('Comment (optional)'),
      'Missing the replication factor',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save comment' }));
    expect(api.sendFeedback).toHaveBeenLastCalledWith('m1', {
      rating: 'down',
      comment: 'Missing the replication factor',
    });
    expect(await screen.findByRole('button', { name: 'Saved' })).toBeDisabled();

    await askQuestion('And partitions?');
    expect(api.ask).toHaveBeenLastCalledWith(
      expect.objectContaining({
        question: 'And partitions?',
        conversationId: 'c1',
      }),
      expect.anything(),
    );
  });

  it('shows why a question was refused and gives the question back', async () => {
    const refusal = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'InputError',
            message:
              'The question is 5000 characters long; the limit is 4000 characters (ragChat.limits.maxQuestionChars)',
          },
          response: { statusCode: 400 },
        }),
        { status: 400, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    render(fakeApi({ ask: jest.fn(async () => Promise.reject(refusal)) }));
    await askQuestion('too long');

    expect(await screen.findByTestId('ask-error')).toHaveTextContent(
      '400: The question is 5000 characters long; the limit is 4000 characters (ragChat.limits.maxQuestionChars)',
    );
    expect(screen.getByLabelText(/Ask a/)).toHaveValue('too long');
    expect(screen.queryByTestId('turn')).not.toBeInTheDocument();
  });

  it('shows the notice when the model failed and the answer quotes passages', async () => {
    const m = message({
      mode: 'extractive',
      answer: 'From the indexed sources: three brokers [1]',
      notices: [
        'The chat model could not be reached (ECONNREFUSED), so this answer quotes the passages instead. Check ragChat.chat.baseUrl and ragChat.chat.model.',
      ],
    });
    const events: ChatStreamEvent[] = [
      { ...(answerEvents(m)[0] as any), notices: [] },
      { type: 'notice', notice: m.notices[0], mode: 'extractive' },
      ...answerEvents(m).slice(1),
    ];
    render(fakeApi({ ask: jest.fn(streaming(events)) }));
    await askQuestion('How many brokers?');
    expect(await screen.findByTestId('answer-notice')).toHaveTextContent(
      /ragChat\.chat\.baseUrl/,
    );
  });

  it('stops a streaming answer and keeps what arrived', async () => {
    const api = fakeApi({
      ask: jest.fn(async (_req, { onEvent, signal }) => {
        onEvent(answerEvents()[0]);
        onEvent({ type: 'delta', text: 'The Kafka' });
        await new Promise(resolve =>
          signal!.addEventListener('abort', resolve),
        );
        return undefined;
      }),
    });
    render(api);
    await askQuestion('How many brokers?');
    await userEvent.click(await screen.findByRole('button', { name: 'Stop' }));

    expect(await screen.findByText('(stopped)')).toBeInTheDocument();
    expect(screen.getByTestId('answer')).toHaveTextContent('The Kafka');
    expect(screen.getByRole('button', { name: 'Ask' })).toBeInTheDocument();
  });

  it('resumes a stored conversation', async () => {
    const api = fakeApi();
    render(api, { conversationId: 'c1' });
    expect(await screen.findByTestId('answer')).toHaveTextContent(
      'The Kafka cluster has three brokers [1].',
    );
    expect(api.getConversation).toHaveBeenCalledWith('c1');
    expect(screen.getByLabelText('Ask a follow-up')).toBeInTheDocument();
  });
});
