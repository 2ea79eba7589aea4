import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ragChatApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { fakeApi, status } from '../../testing/fixtures';
import { RagChatPage } from './RagChatPage';

function render(
  api: ReturnType<typeof fakeApi>,
  entry = '/rag-chat',
  permission:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.DENY,
) {
  return renderInTestApp(<RagChatPage />, {
    apis: [
      [ragChatApiRef, api],
      [permissionApiRef, mockApis.permission({ authorize: permission })],
    ],
    mountPath: '/rag-chat/*',
    initialRouteEntries: [entry],
    mountedRoutes: { '/rag-chat': rootRouteRef },
  });
}

const conversation = {
  id: 'c1',
  title: 'How many brokers?',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  messageCount: 1,
};

describe('RagChatPage', () => {
  it('names the config keys to set when nothing is configured', async () => {
    render(
      fakeApi({
        getStatus: jest.fn(async () =>
          status({
            chat: { configured: false },
            notices: [
              'No chat model is configured: answers quote the most relevant passages. Set ragChat.chat.baseUrl and ragChat.chat.model (an OpenAI-compatible endpoint) for written answers.',
            ],
          }),
        ),
      }),
    );
    expect(
      await screen.findByText(
        /Set ragChat\.chat\.baseUrl and ragChat\.chat\.model/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Your conversations will be listed here.'),
    ).toBeInTheDocument();
  });

  it('shows the backend error when the chat is unavailable', async () => {
    const { ResponseError } = await import('@backstage/errors');
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'ServiceUnavailableError',
            message:
              "The chat's vector store refused the connection (ECONNREFUSED). Check ragChat.store.connection (unset: the embedded PGlite store).",
          },
          response: { statusCode: 503 },
        }),
        { status: 503, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    render(fakeApi({ getStatus: jest.fn(async () => Promise.reject(error)) }));
    expect(
      await screen.findByText(
        /503: The chat's vector store refused the connection \(ECONNREFUSED\)\. Check ragChat\.store\.connection/,
      ),
    ).toBeInTheDocument();
  });

  it('lists conversations, resumes one and deletes it', async () => {
    const api = fakeApi({
      listConversations: jest
        .fn()
        .mockResolvedValueOnce([conversation])
        .mockResolvedValue([]),
    });
    render(api);

    await userEvent.click(await screen.findByText('How many brokers?'));
    expect(await screen.findByTestId('answer')).toHaveTextContent(
      'three brokers',
    );
    expect(api.getConversation).toHaveBeenCalledWith('c1');

    await userEvent.click(
      screen.getByRole('button', {
        name: 'Delete conversation How many brokers?',
      }),
    );
    expect(api.deleteConversation).toHaveBeenCalledWith('c1');
    await waitFor(() =>
      expect(
        screen.getByText('Your conversations will be listed here.'),
      ).toBeInTheDocument(),
    );
  });

  it('keeps the answer streaming while a new conversation gets its id in the URL', async () => {
    const api = fakeApi();
    render(api);
    await userEvent.type(
      await screen.findByLabelText('Ask a question'),
      'How many brokers?',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Ask' }));
    const answer = await screen.findByTestId('answer');
    await waitFor(() =>
      expect(answer).toHaveTextContent(
        'The Kafka cluster has three brokers [1].',
      ),
    );
    expect(api.getConversation).not.toHaveBeenCalled();
    await waitFor(() => expect(api.listConversations).toHaveBeenCalledTimes(3));
  });

  it('shows an indexed doc behind a citation', async () => {
    const api = fakeApi();
    render(api, '/rag-chat/sources/doc%3Adocs%2Fplatform-overview.md');
    expect(
      await screen.findByRole('heading', { name: 'Data path' }),
    ).toBeInTheDocument();
    expect(api.getSource).toHaveBeenCalledWith('doc:docs/platform-overview.md');
    expect(
      screen.getByRole('link', { name: /Back to the chat/ }),
    ).toHaveAttribute('href', '/rag-chat');
  });

  it('lets those allowed to export feedback download it as JSON Lines, and no one else', async () => {
    const api = fakeApi({
      exportFeedback: jest.fn(async () => '{"question":"q"}\n'),
    });
    const { unmount } = await render(api);
    await screen.findByText('Your conversations will be listed here.');
    expect(screen.queryByText(/Export feedback/)).not.toBeInTheDocument();
    unmount();

    URL.createObjectURL = jest.fn(() => 'blob:feedback');
    URL.revokeObjectURL = jest.fn();
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    await render(api, '/rag-chat', AuthorizeResult.ALLOW);
    await userEvent.click(
      await screen.findByRole('button', { name: /Export feedback/ }),
    );
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(api.exportFeedback).toHaveBeenCalled();
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:feedback');
  });
});
