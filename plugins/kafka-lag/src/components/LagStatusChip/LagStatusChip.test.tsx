import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { LagStatus } from '@internal/plugin-kafka-lag-common';
import { LAG_STATUS_DESCRIPTIONS, LagStatusChip } from './LagStatusChip';

describe('LagStatusChip', () => {
  it.each<[LagStatus, string]>([
    ['OK', 'MuiChip-colorSuccess'],
    ['WARNING', 'MuiChip-colorWarning'],
    ['STALLED', 'MuiChip-colorError'],
    ['STOPPED', 'MuiChip-colorError'],
    ['REWINDING', 'MuiChip-colorSecondary'],
    ['UNKNOWN', 'MuiChip-colorDefault'],
  ])('shows %s with the %s color', (status, colorClass) => {
    render(<LagStatusChip status={status} />);
    const chip = screen.getByText(status).closest('.MuiChip-root');
    expect(chip).toHaveClass(colorClass);
  });

  it('explains the status in a tooltip', async () => {
    render(<LagStatusChip status="STALLED" />);
    await userEvent.hover(screen.getByText('STALLED'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      LAG_STATUS_DESCRIPTIONS.STALLED,
    );
    expect(LAG_STATUS_DESCRIPTIONS.STALLED).toMatch(/committed offset/);
  });
});
