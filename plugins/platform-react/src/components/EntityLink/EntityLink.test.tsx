import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { EntityLink } from './EntityLink';

describe('EntityLink', () => {
  it('links the full ref to its catalog page', async () => {
    await renderInTestApp(<EntityLink entityRef="component:default/webapp" />);
    const link = screen.getByRole('link', { name: 'component:default/webapp' });
    expect(link).toHaveAttribute('href', '/catalog/default/component/webapp');
    expect(link).not.toHaveAttribute('title');
  });

  it('shortens the text for the default kind, the full ref in the tooltip', async () => {
    await renderInTestApp(
      <>
        <EntityLink
          entityRef="component:default/webapp"
          defaultKind="component"
        />
        <EntityLink entityRef="group:ml/trainers" defaultKind="component" />
      </>,
    );
    expect(screen.getByRole('link', { name: 'webapp' })).toHaveAttribute(
      'title',
      'component:default/webapp',
    );
    const owner = screen.getByRole('link', { name: 'group:ml/trainers' });
    expect(owner).toHaveAttribute('href', '/catalog/ml/group/trainers');
    expect(owner).toHaveAttribute('title', 'group:ml/trainers');
  });

  it('reads — without a ref', async () => {
    await renderInTestApp(
      <div data-testid="cell">
        <EntityLink defaultKind="component" />
      </div>,
    );
    expect(screen.getByTestId('cell')).toHaveTextContent(/^—$/);
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });
});
