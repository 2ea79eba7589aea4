/** A piece of answer text: plain text, or a citation of passage `n`. */
export type AnswerSegment =
  | { type: 'text'; text: string }
  | { type: 'citation'; n: number };

const CITATION = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;

/**
 * Splits an answer into text and citations: `[2]` and `[1, 3]` become
 * citations of those passage numbers, when such a passage exists; any other
 * bracketed number stays text (a model may write "[5]" with four passages).
 */
export function splitCitations(
  answer: string,
  passageCount: number,
): AnswerSegment[] {
  const segments: AnswerSegment[] = [];
  let last = 0;
  for (const match of answer.matchAll(CITATION)) {
    const numbers = match[1].split(',').map(s => Number(s.trim()));
    if (numbers.some(n => n < 1 || n > passageCount)) continue;
    if (match.index! > last) {
      segments.push({ type: 'text', text: answer.slice(last, match.index) });
    }
    for (const n of numbers) segments.push({ type: 'citation', n });
    last = match.index! + match[0].length;
  }
  if (last < answer.length) {
    segments.push({ type: 'text', text: answer.slice(last) });
  }
  return segments;
}

/** The distinct passage numbers an answer cites, in order of first citation. */
export function citedPassages(answer: string, passageCount: number): number[] {
  const seen = new Set<number>();
  for (const s of splitCitations(answer, passageCount)) {
    if (s.type === 'citation') seen.add(s.n);
  }
  return [...seen];
}
