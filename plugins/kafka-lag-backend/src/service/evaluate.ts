import {
  LAG_STATUS_SEVERITY,
  LagStatus,
} from '@internal/plugin-kafka-lag-common';

/** One partition of one group at one sample. committed is null when never committed. */
export interface PartitionSample {
  at: number; // ms since epoch
  endOffset: number;
  committed: number | null;
}

/** A lag of 1 can be a transaction marker, which no consumer ever commits past. */
const TRANSACTION_MARKER_LAG = 1;

export const effectiveLag = (sample: PartitionSample) =>
  sample.committed === null
    ? null
    : Math.max(0, sample.endOffset - sample.committed);

/** Samples needed before a partition that is behind gets a trend-based status. */
export const MIN_SAMPLES_FOR_TREND = 3;

const caughtUp = (sample: PartitionSample) =>
  (effectiveLag(sample) ?? 0) <= TRANSACTION_MARKER_LAG;

/**
 * Status of one partition from its last samples (oldest first), after Burrow's
 * rules. `hasMembers` tells STALLED (consumers connected, offset stuck) from
 * STOPPED (nobody consuming); a partition stuck while the group commits on others
 * is WARNING.
 */
export function partitionStatus(
  window: PartitionSample[],
  hasMembers: boolean,
  /** The group moved its commits on some partition within the window. */
  groupProgressing = false,
): LagStatus {
  const latest = window[window.length - 1];
  if (!latest || latest.committed === null) return 'UNKNOWN';
  const committed = window.filter(s => s.committed !== null);
  for (let i = 1; i < committed.length; i++) {
    if (committed[i].committed! < committed[i - 1].committed!) {
      return 'REWINDING';
    }
  }
  if (caughtUp(latest)) return 'OK';
  // Behind with nobody consuming and no commit over the window: stopped, whatever
  // the lag was earlier in the window.
  if (
    !hasMembers &&
    committed.length >= 2 &&
    committed[0].committed === latest.committed
  ) {
    return 'STOPPED';
  }
  // Caught up at any point of the window: keeping up (Burrow's first rule).
  if (committed.some(caughtUp)) return 'OK';
  // A trend needs a few samples: judge nothing before (Burrow waits for its window too).
  if (committed.length < MIN_SAMPLES_FOR_TREND) return 'UNKNOWN';
  const first = committed[0];
  if (first.committed === latest.committed) {
    if (!hasMembers) return 'STOPPED';
    // Stuck here while reading elsewhere is a slow consumer (clients do not
    // serve partitions evenly); stuck everywhere is a stalled one.
    return groupProgressing ? 'WARNING' : 'STALLED';
  }
  // Committing, but behind more at every sample than at the one before.
  const lags = committed.map(s => effectiveLag(s)!);
  const growing = lags.every((lag, i) => i === 0 || lag >= lags[i - 1]);
  if (growing && lags[lags.length - 1] > lags[0]) return 'WARNING';
  return 'OK';
}

/** The worst status; UNKNOWN only when nothing else is known. */
export function worstStatus(statuses: LagStatus[]): LagStatus {
  let worst: LagStatus = 'UNKNOWN';
  for (const status of statuses) {
    if (LAG_STATUS_SEVERITY[status] > LAG_STATUS_SEVERITY[worst]) {
      worst = status;
    }
  }
  return worst;
}

/**
 * How long ago the message at `committed` was written, from the partition's
 * (time, end offset) history, oldest first: the time at which the end offset
 * passed `committed`, interpolated linearly between two samples.
 * Returns the seconds and whether that is a lower bound (the message is older
 * than the history).
 */
export function lagSeconds(
  history: { at: number; endOffset: number }[],
  committed: number,
  now: number,
): { seconds: number; lowerBound: boolean } | null {
  if (history.length === 0) return null;
  const latest = history[history.length - 1];
  if (committed >= latest.endOffset) return { seconds: 0, lowerBound: false };
  // The next message to consume is `committed`; it was written once the end
  // offset went above it.
  const target = committed + 1;
  if (history[0].endOffset >= target) {
    return { seconds: (now - history[0].at) / 1000, lowerBound: true };
  }
  for (let i = 1; i < history.length; i++) {
    const before = history[i - 1];
    const after = history[i];
    if (after.endOffset >= target) {
      const span = after.endOffset - before.endOffset;
      const fraction = span > 0 ? (target - before.endOffset) / span : 1;
      const writtenAt = before.at + fraction * (after.at - before.at);
      return {
        seconds: Math.max(0, (now - writtenAt) / 1000),
        lowerBound: false,
      };
    }
  }
  return { seconds: 0, lowerBound: false };
}

/**
 * Seconds until the lag reaches zero at the current rates: (consumed - produced)
 * per second over the window. null when the lag is not shrinking.
 */
export function timeToDrain(
  totalLag: number,
  first: { at: number; committed: number; endOffset: number },
  last: { at: number; committed: number; endOffset: number },
): number | null {
  if (totalLag <= 0) return 0;
  const seconds = (last.at - first.at) / 1000;
  if (seconds <= 0) return null;
  const net =
    (last.committed - first.committed - (last.endOffset - first.endOffset)) /
    seconds;
  return net > 0 ? totalLag / net : null;
}
