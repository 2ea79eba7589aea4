/** A duration in seconds as people read it: `850 ms`, `1.25 s`, `—` when unknown. */
export function seconds(v?: number) {
  if (v === undefined) return '—';
  return v < 1 ? `${(v * 1000).toFixed(0)} ms` : `${v.toFixed(2)} s`;
}
