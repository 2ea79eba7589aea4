import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { general } from '../../testing/fixtures';
import { NodeGroupCard } from './NodeGroupCard';

describe('NodeGroupCard', () => {
  it('says which nodes the allocatable figures count', async () => {
    await renderInTestApp(<NodeGroupCard group={general} />);
    expect(
      await screen.findByText(
        'CPU: 6 requested of 7.84 allocatable on 2 Ready nodes',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('3 nodes: 2 Ready, 1 NotReady'),
    ).toBeInTheDocument();
  });
});
