import Chip, { ChipProps } from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import { LagStatus } from '@internal/plugin-kafka-lag-common';

/** One sentence per status, shown in the chip's tooltip. */
export const LAG_STATUS_DESCRIPTIONS: Record<LagStatus, string> = {
  OK: 'The group is caught up, or is committing and not falling behind.',
  WARNING:
    'The group is committing, but its lag grew over the whole evaluation window.',
  STALLED:
    'Members are connected but the committed offset has not moved while messages wait.',
  STOPPED:
    'No members are connected and nothing is being committed while messages wait.',
  REWINDING:
    'The committed offset went backwards, so messages are being consumed again.',
  UNKNOWN:
    'The group never committed on a partition, or there are not enough samples yet.',
};

const COLORS: Record<LagStatus, ChipProps['color']> = {
  OK: 'success',
  WARNING: 'warning',
  STALLED: 'error',
  STOPPED: 'error',
  REWINDING: 'secondary',
  UNKNOWN: 'default',
};

export interface LagStatusChipProps {
  status: LagStatus;
  size?: ChipProps['size'];
}

/** A group's or partition's lag status as a colored chip with an explanation on hover. */
export function LagStatusChip(props: LagStatusChipProps) {
  const { status, size = 'small' } = props;
  const description =
    LAG_STATUS_DESCRIPTIONS[status] ?? `Unrecognised status ${status}.`;
  return (
    <Tooltip title={description} arrow>
      <Chip
        label={status}
        color={COLORS[status] ?? 'default'}
        size={size}
        variant={
          status === 'OK' || status === 'UNKNOWN' ? 'outlined' : 'filled'
        }
        aria-label={`${status}: ${description}`}
        data-status={status}
      />
    </Tooltip>
  );
}
