import { formatAge, formatCount, formatDuration } from './format';

describe('formatDuration', () => {
  it.each([
    [null, '—'],
    [0, '0 s'],
    [45, '45 s'],
    [200, '3 min 20 s'],
    [3600, '1 h'],
    [3620, '1 h'],
    [7500, '2 h 5 min'],
    [97_200, '1 d 3 h'],
  ])('formats %p as %p', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });
});

describe('formatCount', () => {
  it('groups thousands and shows a dash for unknown', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(null)).toBe('—');
  });
});

describe('formatAge', () => {
  it('says how long ago a timestamp was', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    expect(formatAge('2026-01-01T00:06:40Z', now)).toBe('3 min 20 s ago');
    expect(formatAge(null, now)).toBe('never');
  });
});
