import {
  lagSeconds,
  partitionStatus,
  timeToDrain,
  worstStatus,
} from './evaluate';

/** Builds samples 15 s apart from [endOffset, committed] pairs. */
const samples = (pairs: [number, number | null][]) =>
  pairs.map(([endOffset, committed], i) => ({
    at: i * 15_000,
    endOffset,
    committed,
  }));

describe('partitionStatus', () => {
  it('is OK when caught up, also with a lag of 1 (a transaction marker)', () => {
    expect(
      partitionStatus(
        samples([
          [10, 10],
          [20, 20],
        ]),
        true,
      ),
    ).toBe('OK');
    expect(
      partitionStatus(
        samples([
          [10, 9],
          [21, 20],
        ]),
        true,
      ),
    ).toBe('OK');
  });

  it('is OK when committing and the lag goes up and down', () => {
    expect(
      partitionStatus(
        samples([
          [100, 50],
          [200, 180],
          [300, 260],
        ]),
        true,
      ),
    ).toBe('OK');
  });

  it('is OK when the lag was zero at any point of the window', () => {
    expect(
      partitionStatus(
        samples([
          [100, 100],
          [200, 150],
          [300, 200],
        ]),
        true,
      ),
    ).toBe('OK');
  });

  it('is WARNING when committing but the lag grows at every sample', () => {
    expect(
      partitionStatus(
        samples([
          [100, 50],
          [200, 120],
          [300, 190],
        ]),
        true,
      ),
    ).toBe('WARNING');
  });

  it('is STALLED when members are connected and the offset does not move', () => {
    expect(
      partitionStatus(
        samples([
          [100, 50],
          [120, 50],
          [140, 50],
        ]),
        true,
      ),
    ).toBe('STALLED');
  });

  it('is WARNING, not STALLED, when the group commits on its other partitions', () => {
    expect(
      partitionStatus(
        samples([
          [100, 50],
          [120, 50],
          [140, 50],
        ]),
        true,
        true,
      ),
    ).toBe('WARNING');
  });

  it('is STOPPED when nobody consumes and the group is behind', () => {
    expect(
      partitionStatus(
        samples([
          [100, 50],
          [120, 50],
          [140, 50],
        ]),
        false,
      ),
    ).toBe('STOPPED');
  });

  it('is STOPPED when nobody consumes, even if it was caught up earlier in the window', () => {
    expect(
      partitionStatus(
        samples([
          [50, 50],
          [60, 50],
          [70, 50],
        ]),
        false,
      ),
    ).toBe('STOPPED');
  });

  it('is REWINDING when the committed offset goes backwards', () => {
    expect(
      partitionStatus(
        samples([
          [100, 90],
          [120, 10],
          [140, 30],
        ]),
        true,
      ),
    ).toBe('REWINDING');
  });

  it('is UNKNOWN when never committed, or behind with too few samples for a trend', () => {
    expect(partitionStatus(samples([[100, null]]), true)).toBe('UNKNOWN');
    expect(partitionStatus(samples([[100, 50]]), true)).toBe('UNKNOWN');
    expect(
      partitionStatus(
        samples([
          [100, 50],
          [200, 100],
        ]),
        true,
      ),
    ).toBe('UNKNOWN');
  });
});

describe('worstStatus', () => {
  it('takes the worst partition, ignoring unknown ones', () => {
    expect(worstStatus(['OK', 'UNKNOWN', 'WARNING'])).toBe('WARNING');
    expect(worstStatus(['STOPPED', 'REWINDING'])).toBe('REWINDING');
    expect(worstStatus(['UNKNOWN'])).toBe('UNKNOWN');
    expect(worstStatus([])).toBe('UNKNOWN');
  });
});

describe('lagSeconds', () => {
  const history = [
    { at: 0, endOffset: 100 },
    { at: 10_000, endOffset: 200 },
    { at: 20_000, endOffset: 300 },
  ];

  it('interpolates when the next message was written between two samples', () => {
    // Message 150 was written halfway between t=0 and t=10 s; now is t=20 s.
    expect(lagSeconds(history, 149, 20_000)).toEqual({
      seconds: 15,
      lowerBound: false,
    });
  });

  it('is zero when caught up', () => {
    expect(lagSeconds(history, 300, 20_000)).toEqual({
      seconds: 0,
      lowerBound: false,
    });
  });

  it('is a lower bound when the message is older than the history', () => {
    expect(lagSeconds(history, 20, 20_000)).toEqual({
      seconds: 20,
      lowerBound: true,
    });
  });

  it('is unknown without history', () => {
    expect(lagSeconds([], 10, 0)).toBeNull();
  });
});

describe('timeToDrain', () => {
  it('divides the lag by the net consumption rate', () => {
    // 10 s: consumed 300, produced 100 → net 20/s; lag 200 → 10 s.
    expect(
      timeToDrain(
        200,
        { at: 0, committed: 0, endOffset: 100 },
        { at: 10_000, committed: 300, endOffset: 200 },
      ),
    ).toBe(10);
  });

  it('is null when the lag is not shrinking', () => {
    expect(
      timeToDrain(
        200,
        { at: 0, committed: 0, endOffset: 100 },
        { at: 10_000, committed: 50, endOffset: 300 },
      ),
    ).toBeNull();
  });
});
