import { useTheme } from '@mui/material/styles';
import { LagHistoryPoint } from '@internal/plugin-kafka-lag-common';
import { Line, LineChart } from 'recharts';

export interface LagSparklineProps {
  history: LagHistoryPoint[] | undefined;
  width?: number;
  height?: number;
}

/** A tiny line of a group's total lag over time; a dash when there is no history. */
export function LagSparkline(props: LagSparklineProps) {
  const { history, width = 120, height = 32 } = props;
  const theme = useTheme();
  if (!history || history.length < 2) {
    return <span aria-label="no lag history">—</span>;
  }
  const first = history[0].totalLag;
  const last = history[history.length - 1].totalLag;
  let trend = 'unchanged';
  if (last > first) {
    trend = 'growing';
  } else if (last < first) {
    trend = 'shrinking';
  }
  return (
    <div
      role="img"
      aria-label={`total lag ${trend} over the last ${history.length} samples`}
      style={{ width, height }}
    >
      <LineChart width={width} height={height} data={history}>
        <Line
          type="monotone"
          dataKey="totalLag"
          stroke={
            trend === 'growing'
              ? theme.palette.error.main
              : theme.palette.primary.main
          }
          strokeWidth={1.5}
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
    </div>
  );
}
