import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { crashLoop } from '../../testing/fixtures';
import { ProblemsTable } from './ProblemsTable';

describe('ProblemsTable', () => {
  it('shows entity and owner refs as names (the full ref in the tooltip) and keeps the problem kind on one line', async () => {
    await renderInTestApp(
      <ProblemsTable
        problems={[
          crashLoop,
          {
            ...crashLoop,
            id: 'c/CrashLoopBackOff/ml/trainer-1',
            object: { kind: 'Pod', name: 'trainer-1' },
            entityRef: 'resource:ml/trainer',
            ownerRef: 'user:default/jdoe',
          },
        ]}
      />,
    );
    const entity = await screen.findByRole('link', {
      name: 'release-notifier',
    });
    expect(entity).toHaveAttribute(
      'title',
      'component:default/release-notifier',
    );
    expect(screen.getByRole('link', { name: 'platform-team' })).toHaveAttribute(
      'title',
      'group:default/platform-team',
    );
    // Another kind or namespace than the usual stays in the name.
    expect(
      screen.getByRole('link', { name: 'resource:ml/trainer' }),
    ).toHaveAttribute('href', '/catalog/ml/resource/trainer');
    expect(screen.getByRole('link', { name: 'user:jdoe' })).toBeInTheDocument();
    expect(screen.getAllByText('CrashLoopBackOff')[0]).toHaveStyle({
      whiteSpace: 'nowrap',
    });
  });
});
