import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import { LagHistoryPoint } from '@internal/plugin-kafka-lag-common';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatCount, formatDuration } from '../../lib/format';

export interface LagHistoryChartProps {
  history: LagHistoryPoint[];
  height?: number;
}

interface ChartPoint {
  t: number;
  totalLag: number;
  maxLagSeconds: number | null;
}

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

/** Total lag (messages, left axis) and lag in seconds (right axis) over time. */
export function LagHistoryChart(props: LagHistoryChartProps) {
  const { history, height = 280 } = props;
  const theme = useTheme();

  if (history.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        No history in this window yet: points appear as the backend samples the
        cluster.
      </Typography>
    );
  }

  const data: ChartPoint[] = history.map(point => ({
    t: Date.parse(point.at),
    totalLag: point.totalLag,
    maxLagSeconds: point.maxLagSeconds,
  }));

  return (
    <ResponsiveContainer width="100%" height={height}>
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={['dataMin', 'dataMax']}
          tickFormatter={(t: number) => timeFormat.format(t)}
        />
        <YAxis
          yAxisId="messages"
          tickFormatter={(v: number) => formatCount(v)}
          label={{ value: 'messages', angle: -90, position: 'insideLeft' }}
        />
        <YAxis
          yAxisId="seconds"
          orientation="right"
          tickFormatter={(v: number) => formatDuration(v)}
        />
        <Tooltip
          labelFormatter={(t: number) => dateTimeFormat.format(t)}
          formatter={(value: number, name: string) =>
            name === 'Lag (time)' ? formatDuration(value) : formatCount(value)
          }
        />
        <Legend />
        <Line
          yAxisId="messages"
          type="monotone"
          dataKey="totalLag"
          name="Total lag (messages)"
          stroke={theme.palette.primary.main}
          dot={false}
          isAnimationActive={false}
        />
        <Line
          yAxisId="seconds"
          type="monotone"
          dataKey="maxLagSeconds"
          name="Lag (time)"
          stroke={theme.palette.warning.main}
          dot={false}
          connectNulls
          isAnimationActive={false}
        />
      </LineChart>
    </ResponsiveContainer>
  );
}
