import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ragChatApiRef } from '../../api';
import { fakeApi } from '../../testing/fixtures';
import { EntityRagChatCard } from './EntityRagChatCard';

describe('EntityRagChatCard', () => {
  it('scopes questions to the entity', async () => {
    const api = fakeApi();
    await renderInTestApp(
      <EntityProvider
        entity={{
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'llm-ingestors', title: 'LLM ingestors' },
        }}
      >
        <EntityRagChatCard />
      </EntityProvider>,
      { apis: [[ragChatApiRef, api]] },
    );
    expect(screen.getByText('Ask about this entity')).toBeInTheDocument();
    await userEvent.type(
      screen.getByLabelText('Ask a question'),
      'Who owns it?',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Ask' }));
    expect(await screen.findByTestId('answer')).toBeInTheDocument();
    expect(api.ask).toHaveBeenCalledWith(
      expect.objectContaining({
        question: 'Who owns it?',
        entityRef: 'component:default/llm-ingestors',
      }),
      expect.anything(),
    );
  });
});
