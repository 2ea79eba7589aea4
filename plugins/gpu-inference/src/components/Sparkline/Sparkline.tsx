import { ModelServerView } from '@internal/plugin-gpu-inference-common';
import Typography from '@mui/material/Typography';

/** A small line of one figure over the range, scaled to its own maximum. */
export function Sparkline({
  series,
  figure,
  label,
}: {
  series: ModelServerView['series'];
  figure: 'ttftP95' | 'waiting';
  label: string;
}) {
  const points = series
    .filter(p => p[figure] !== undefined)
    .map(p => ({ t: p.t, v: p[figure]! }));
  if (points.length < 2)
    return (
      <Typography variant="caption">
        Not enough samples for a chart yet.
      </Typography>
    );
  const max = Math.max(...points.map(p => p.v)) || 1;
  const t0 = points[0].t;
  const span = points[points.length - 1].t - t0 || 1;
  const d = points
    .map(
      (p, i) =>
        `${i ? 'L' : 'M'}${((p.t - t0) / span) * 300},${60 - (p.v / max) * 55}`,
    )
    .join(' ');
  return (
    <svg width="100%" viewBox="0 0 300 60" role="img" aria-label={label}>
      <path d={d} fill="none" stroke="currentColor" strokeWidth="2" />
    </svg>
  );
}
