/*
 * The chat model's stand-in: no language model runs on the sandbox's two cores,
 * so an answer is composed from the numbered context passages in the prompt.
 * The sentences of the passages that best match the question are quoted, each
 * with its citation ([1], [2], ...); without passages, the answer says so.
 *
 * A passage starts at a line that begins with `[n]` (or `Passage n:`,
 * `Source n:`, `Document n:`) and runs to the next such line, to a
 * `Question:` line, to a line that closes a block (`PASSAGES>>>`,
 * `</context>`), or to the end of the message. A first line without final
 * punctuation is the passage's title, not quoted. The passages are those of the
 * last system or user message that has any; the question is the last user
 * message without its passages (after `Question:` when there is one).
 */

export interface ChatMessage {
  role: string;
  content: string;
}

export interface Passage {
  n: number;
  text: string;
}

export interface ChatPrompt {
  passages: Passage[];
  question: string;
}

/** Scores each sentence against the question; higher is better. */
export type SentenceScorer = (
  question: string,
  sentences: string[],
) => Promise<number[]>;

const MARKER =
  /^\s*(?:\[(\d{1,3})\]|(?:passage|source|document|context)\s*#?\s*(\d{1,3})\s*[:.)\]-])\s*/i;
const QUESTION_LINE = /^\s*(?:question|query|user question)\s*:\s*/i;
const BLOCK_END = /^\s*(?:[A-Za-z_]+\s*>>>|<\/[\w-]+>)\s*$/;

interface Split {
  passages: Passage[];
  /** Message text outside the passages. */
  rest: string[];
  question?: string;
}

function splitMessage(content: string): Split {
  const passages: Passage[] = [];
  const rest: string[] = [];
  let current: { n: number; lines: string[] } | undefined;
  let questionLines: string[] | undefined;
  const close = () => {
    if (current) {
      passages.push({ n: current.n, text: current.lines.join('\n').trim() });
      current = undefined;
    }
  };
  for (const line of content.split(/\r?\n/)) {
    const marker = MARKER.exec(line);
    if (marker && !questionLines) {
      close();
      current = {
        n: Number(marker[1] ?? marker[2]),
        lines: [line.slice(marker[0].length)],
      };
    } else if (BLOCK_END.test(line) && current && !questionLines) {
      close();
    } else if (QUESTION_LINE.test(line) && !questionLines) {
      close();
      questionLines = [line.replace(QUESTION_LINE, '')];
    } else if (questionLines) {
      questionLines.push(line);
    } else if (current) {
      current.lines.push(line);
    } else {
      rest.push(line);
    }
  }
  close();
  // "[1] ...\n[2] ...\n\nHow do I ...?": a final paragraph that asks something is
  // the question, not part of the last passage.
  const last = passages[passages.length - 1];
  if (last && !questionLines) {
    const paragraphs = last.text.split(/\n\s*\n/);
    const tail = paragraphs[paragraphs.length - 1].trim();
    if (paragraphs.length > 1 && tail.endsWith('?')) {
      last.text = paragraphs.slice(0, -1).join('\n\n').trim();
      questionLines = [tail];
    }
  }
  return {
    passages: passages.filter(p => p.text.length > 0),
    rest,
    question: questionLines?.join('\n').trim(),
  };
}

/** The context passages and the question of a chat prompt. */
export function parsePrompt(messages: ChatMessage[]): ChatPrompt {
  let passages: Passage[] = [];
  let question = '';
  messages.forEach((message, i) => {
    if (message.role !== 'system' && message.role !== 'user') return;
    const split = splitMessage(message.content);
    if (split.passages.length > 0) passages = split.passages;
    const isLastUser = !messages.slice(i + 1).some(m => m.role === 'user');
    if (message.role === 'user' && isLastUser) {
      question = split.question ?? split.rest.join('\n').trim();
    }
  });
  return { passages, question };
}

/** A heading's, a list item's or a comment's mark at the start of a line. */
const LINE_MARK = /^\s*(?:#+|[-*•]|\d+[.)])\s+/;
/** A YAML key: never part of a sentence that wraps. */
const CODE_LINE = /^[\w.-]+:(?:\s|$)/;
/** A Markdown table's row, or a piece of one (a chunk may start inside a row). */
const TABLE_ROW = /^\||\|$|\s\|\s/;

/**
 * The passage's lines with hard-wrapped prose joined again: a line that starts in lower
 * case continues the one before, unless that one ended a sentence or either is code, and a
 * `#` comment line continues only a comment (a YAML file's or a script's wrapped comment).
 */
function unwrappedLines(text: string): string[] {
  const lines: Array<{ text: string; comment: boolean }> = [];
  for (const raw of text.split('\n')) {
    const mark = LINE_MARK.exec(raw)?.[0] ?? '';
    const comment = mark.trim().startsWith('#');
    const line = raw.slice(mark.length).trim();
    const prev = lines[lines.length - 1];
    const continues =
      prev !== undefined &&
      prev.text !== '' &&
      /^[a-z(]/.test(line) &&
      !/[.!?:;]$/.test(prev.text) &&
      !CODE_LINE.test(prev.text) &&
      !CODE_LINE.test(line) &&
      !TABLE_ROW.test(prev.text) &&
      !TABLE_ROW.test(line) &&
      (mark === '' || (comment && prev.comment));
    if (continues) prev.text = `${prev.text} ${line}`;
    else lines.push({ text: line, comment });
  }
  return lines.map(l => l.text);
}

/** The sentences of a passage worth quoting (headings, table rows and fragments left out). */
export function sentencesOf(text: string): string[] {
  return unwrappedLines(text)
    .filter(line => !TABLE_ROW.test(line))
    .flatMap(line => line.split(/(?<=[.!?])\s+(?=["'(\[`]?[A-Z0-9])/))
    .map(s => s.trim())
    .filter(s => s.split(/\s+/).length >= 4 && /[a-z]/i.test(s));
}

const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could do does did for from has have how i if in into is it its ' +
    'me my of on or our should so than that the their them then there these they this those to was ' +
    'we were what when where which who why will with would you your about any some not no yes please tell ' +
    'explain show give'
  ).split(' '),
);

function stem(word: string): string {
  return word
    .replace(/(?:ies)$/, 'y')
    .replace(/(?:ing|ed|es|s)$/, '')
    .replace(/(.)\1$/, '$1');
}

/** Content words of a text, lower-cased and crudely stemmed. */
export function terms(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9][a-z0-9_-]*/g) ?? [])
    .filter(w => !STOPWORDS.has(w) && w.length > 1)
    .map(stem);
}

/** BM25 of each sentence against the question's terms, over the prompt's own sentences. */
export const lexicalScorer: SentenceScorer = async (question, sentences) => {
  const query = [...new Set(terms(question))];
  const docs = sentences.map(s => terms(s));
  const avg =
    docs.reduce((sum, d) => sum + d.length, 0) / Math.max(1, docs.length) || 1;
  const df = new Map<string, number>();
  for (const d of docs)
    for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const k1 = 1.2;
  const b = 0.75;
  return docs.map(d => {
    let score = 0;
    for (const q of query) {
      const tf = d.filter(t => t === q).length;
      if (tf === 0) continue;
      const n = df.get(q) ?? 0;
      const idf = Math.log(1 + (docs.length - n + 0.5) / (n + 0.5));
      score +=
        (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * d.length) / avg));
    }
    return score;
  });
};

export const NO_PASSAGES_ANSWER =
  'I have no context passages for this question, so I cannot answer it from the ' +
  "platform's knowledge. Ask again once documents about it are indexed.";
export const NO_MATCH_ANSWER =
  'None of the passages I was given answers this question, so I cannot answer it from them.';

export interface ComposeOptions {
  /** Sentences quoted at most (default 3). */
  maxSentences?: number;
  /** Smallest score a sentence needs, relative to the best one (default 0.35). */
  relativeThreshold?: number;
  /** Smallest absolute score (default: above 0). */
  minScore?: number;
}

/** The answer to a prompt: the best-matching sentences of its passages, cited. */
export async function composeAnswer(
  prompt: ChatPrompt,
  scorer: SentenceScorer,
  options: ComposeOptions = {},
): Promise<string> {
  if (prompt.passages.length === 0) return NO_PASSAGES_ANSWER;
  const candidates = prompt.passages.flatMap(p =>
    sentencesOf(withoutTitle(p.text)).map((text, position) => ({
      n: p.n,
      text,
      position,
    })),
  );
  if (candidates.length === 0) return NO_MATCH_ANSWER;
  const question = prompt.question || candidates[0].text;
  const scores = await scorer(
    question,
    candidates.map(c => c.text),
  );
  const best = Math.max(...scores);
  const minScore = Math.max(
    options.minScore ?? 0,
    best * (options.relativeThreshold ?? 0.35),
  );
  const chosen = candidates
    .map((c, i) => ({ ...c, score: scores[i] }))
    .filter(c => c.score > 0 && c.score >= minScore)
    .sort((a, b) => b.score - a.score)
    .slice(0, options.maxSentences ?? 3);
  if (chosen.length === 0) return NO_MATCH_ANSWER;
  // Passages in the order of their best sentence; a passage's sentences in its own order.
  const rank = new Map<number, number>();
  chosen.forEach((c, i) => rank.set(c.n, rank.get(c.n) ?? i));
  chosen.sort(
    (a, b) => rank.get(a.n)! - rank.get(b.n)! || a.position - b.position,
  );
  return chosen.map(c => cite(c.text, c.n)).join(' ');
}

/** A passage without its title: a first line with no final punctuation, when more follows. */
function withoutTitle(text: string): string {
  const lines = text.split('\n');
  if (lines.length > 1 && !/[.!?:;]\s*$/.test(lines[0])) {
    return lines.slice(1).join('\n');
  }
  return text;
}

/** "Text ends here." → "Text ends here [2]." */
function cite(sentence: string, n: number): string {
  const match = /^(.*?)([.!?:;]*)$/s.exec(sentence.trim())!;
  const end =
    match[2].startsWith('?') || match[2].startsWith('!') ? match[2] : '.';
  return `${match[1]} [${n}]${end}`;
}

/**
 * The answer cut into the pieces that are streamed one per chunk, like a
 * model's tokens: words with their leading space, punctuation and citations.
 */
export function toTokens(text: string): string[] {
  return text.match(/\s*(?:\[\d+\]|[\p{L}\p{N}_'’-]+|[^\s\p{L}\p{N}])/gu) ?? [];
}
