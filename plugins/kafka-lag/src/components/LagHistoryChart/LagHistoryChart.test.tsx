import { render, screen } from '@testing-library/react';
import { LagHistoryChart } from './LagHistoryChart';

describe('LagHistoryChart', () => {
  it('says when there is no history yet', () => {
    render(<LagHistoryChart history={[]} />);
    expect(
      screen.getByText(/No history in this window yet/),
    ).toBeInTheDocument();
  });

  it('renders a chart container for the points', () => {
    const { container } = render(
      <LagHistoryChart
        history={[
          { at: '2026-01-01T00:00:00Z', totalLag: 10, maxLagSeconds: 5 },
          { at: '2026-01-01T00:01:00Z', totalLag: 20, maxLagSeconds: 65 },
        ]}
      />,
    );
    expect(
      container.querySelector('.recharts-responsive-container'),
    ).not.toBeNull();
  });
});
