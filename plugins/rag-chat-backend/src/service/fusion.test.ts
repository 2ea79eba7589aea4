import { reciprocalRankFusion } from './fusion';

describe('reciprocalRankFusion', () => {
  it('scores 1/(k+rank) per list and sums across lists', () => {
    const fused = reciprocalRankFusion(
      [
        ['a', 'b', 'c'],
        ['c', 'a', 'd'],
      ],
      60,
    );
    expect(fused.map(f => f.id)).toEqual(['a', 'c', 'b', 'd']);
    expect(fused[0].score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(fused[1].score).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(fused[2].score).toBeCloseTo(1 / 62, 12);
    expect(fused[3].score).toBeCloseTo(1 / 63, 12);
  });

  it('lets an item found by both searches beat one ranked first by a single search', () => {
    const fused = reciprocalRankFusion([
      ['only-vector', 'both'],
      ['only-text', 'both'],
    ]);
    expect(fused[0].id).toBe('both');
  });

  it('keeps a single list in order and handles empty lists', () => {
    expect(reciprocalRankFusion([[3, 1, 2], []]).map(f => f.id)).toEqual([
      3, 1, 2,
    ]);
    expect(reciprocalRankFusion([])).toEqual([]);
  });
});
