import { Passage } from '@internal/plugin-rag-chat-common';
import { passageLabel } from './prompt';

/*
 * The answers that need no chat model: the passages' own sentences (when none is
 * configured, or it fails before its first token) and the answer for when nothing
 * relevant is indexed.
 */

const STOP_WORDS = new Set(
  'a an and are as at be by can do does for from has have how i in is it its me my of on or our should so that the their them then there these this to was we what when where which who why will with you your'.split(
    ' ',
  ),
);

/** Lower-cased words without stop words, with a plural 's' dropped. */
export function terms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter(w => !STOP_WORDS.has(w) && w.length > 1)
    .map(w => (w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w));
}

/**
 * An answer made of the passages' own sentences, for when no chat model is
 * available: from each of the best passages, the sentences (or list items)
 * sharing most terms with the question, each with its citation.
 */
export function extractiveAnswer(question: string, passages: Passage[]) {
  const wanted = new Set(terms(question));
  const lines: string[] = [];
  for (const p of passages.slice(0, 3)) {
    const sentences = p.text
      .split(/(?<=[.!?])\s+|\n+/)
      .map(s => s.replace(/^[-*#>\s]+/, '').trim())
      .filter(s => s.length > 2);
    const scored = sentences
      .map((s, i) => ({
        s,
        i,
        score: new Set(terms(s).filter(t => wanted.has(t))).size,
      }))
      .filter(x => x.score > 0)
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, 2)
      .sort((a, b) => a.i - b.i);
    const picked =
      scored.length > 0 ? scored : sentences.slice(0, 1).map(s => ({ s }));
    if (picked.length === 0) continue;
    const text = picked.map(x => x.s.replace(/[.:;,]?$/, '.')).join(' ');
    lines.push(`- ${passageLabel(p)}: ${text} [${p.n}]`);
  }
  return `From the indexed sources:\n\n${lines.join('\n')}`;
}

export const NOTHING_FOUND_ANSWER =
  'I found nothing in the indexed catalog, docs or ingested data that answers this, so I will not guess. ' +
  'Try naming the component, system, resource or topic you mean.';

/** Splits an answer into a few deltas (its lines), so it streams like a model's. */
export function answerPieces(text: string): string[] {
  return text.match(/[^\n]*\n?/g)?.filter(Boolean) ?? [text];
}
