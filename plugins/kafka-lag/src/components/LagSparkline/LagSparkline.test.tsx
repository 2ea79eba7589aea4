import { render, screen } from '@testing-library/react';
import { LagSparkline } from './LagSparkline';

const points = (...lags: number[]) =>
  lags.map((totalLag, i) => ({
    at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    totalLag,
    maxLagSeconds: null,
  }));

describe('LagSparkline', () => {
  it('draws a line and says which way the lag went', () => {
    const { container } = render(<LagSparkline history={points(10, 5, 2)} />);
    expect(
      screen.getByRole('img', {
        name: 'total lag shrinking over the last 3 samples',
      }),
    ).toBeInTheDocument();
    expect(container.querySelector('.recharts-line path')).not.toBeNull();
  });

  it('shows a dash without enough history', () => {
    render(<LagSparkline history={points(3)} />);
    expect(screen.getByLabelText('no lag history')).toHaveTextContent('—');
  });
});
