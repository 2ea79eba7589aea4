const UNITS: [string, number][] = [
  ['d', 86_400],
  ['h', 3_600],
  ['min', 60],
  ['s', 1],
];

/**
 * A duration in seconds as its two largest units: 45 s, 3 min 20 s, 2 h 5 min,
 * 1 d 3 h. Returns an em dash for null/undefined.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return '—';
  }
  let rest = Math.max(0, Math.round(seconds));
  if (rest === 0) {
    return '0 s';
  }
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    if (parts.length === 2) {
      break;
    }
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count} ${unit}`);
      rest -= count * size;
    } else if (parts.length > 0) {
      // keep the two units adjacent: "1 h" rather than "1 h 20 s"
      break;
    }
  }
  return parts.join(' ');
}

/** Time to drain: a duration, "not draining" when behind without progress. */
export function formatTimeToDrain(
  seconds: number | null,
  totalLag: number,
): string {
  if (seconds !== null) {
    return formatDuration(seconds);
  }
  return totalLag > 0 ? 'not draining' : '—';
}

const numberFormat = new Intl.NumberFormat('en-US');

/** A message count with thousands separators; em dash for null. */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) {
    return '—';
  }
  return numberFormat.format(value);
}

/** How long ago an ISO timestamp was, e.g. "3 min 20 s ago". */
export function formatAge(iso: string | null | undefined, now = Date.now()) {
  if (!iso) {
    return 'never';
  }
  const at = Date.parse(iso);
  if (Number.isNaN(at)) {
    return 'unknown';
  }
  return `${formatDuration((now - at) / 1000)} ago`;
}
