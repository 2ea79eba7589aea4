/**
 * Reciprocal rank fusion (Cormack et al., 2009): each list votes 1 / (k + rank)
 * for every item it holds, ranks counted from 1; items are ordered by the sum of
 * their votes. Ties keep the order in which the items were first seen.
 */
export function reciprocalRankFusion<T>(
  lists: T[][],
  k = 60,
): Array<{ id: T; score: number }> {
  const scores = new Map<T, number>();
  for (const list of lists) {
    list.forEach((id, i) => {
      scores.set(id, (scores.get(id) ?? 0) + 1 / (k + i + 1));
    });
  }
  return [...scores.entries()]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score);
}
