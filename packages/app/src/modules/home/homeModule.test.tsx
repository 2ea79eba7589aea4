import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { MarkdownContent } from '@backstage/core-components';
import { welcomeContent } from './homeModule';

describe('platform welcome widget', () => {
  it('links to the catalog, the templates and the APIs', async () => {
    await renderInTestApp(<MarkdownContent content={welcomeContent} />);

    expect(screen.getByRole('link', { name: 'Catalog' })).toHaveAttribute(
      'href',
      '/catalog',
    );
    expect(screen.getByRole('link', { name: 'Create' })).toHaveAttribute(
      'href',
      '/create',
    );
    expect(screen.getByRole('link', { name: 'APIs' })).toHaveAttribute(
      'href',
      '/api-docs',
    );
  });
});
