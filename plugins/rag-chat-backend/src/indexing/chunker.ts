import { createHash } from 'node:crypto';

/** One piece of a source, small enough to embed and to quote in a prompt. */
export interface Chunk {
  index: number;
  /** Heading path, outermost first, joined by ' › ' (absent before the first heading). */
  heading?: string;
  /** GitHub-style anchor of the innermost heading, for links to the section. */
  anchor?: string;
  text: string;
  /** Hash of heading and text: an unchanged chunk keeps its embedding. */
  contentHash: string;
}

export const HEADING_SEPARATOR = ' › ';

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** The anchor GitHub (and MkDocs' default) gives a heading. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*~[\]()<>]/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

interface Section {
  path: string[];
  lines: string[];
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const ATX_HEADING = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;

/** Splits Markdown into sections at its headings, ignoring `#` lines inside code fences. */
function sections(markdown: string): Section[] {
  const result: Section[] = [{ path: [], lines: [] }];
  const stack: Array<{ level: number; text: string }> = [];
  let fence: string | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1];
      if (!fence) fence = marker[0].repeat(marker.length);
      else if (marker.startsWith(fence)) fence = undefined;
    }
    const heading = fence || fenceMatch ? undefined : ATX_HEADING.exec(line);
    if (heading) {
      const level = heading[1].length;
      while (stack.length > 0 && stack[stack.length - 1].level >= level) {
        stack.pop();
      }
      stack.push({ level, text: heading[2].trim() });
      result.push({ path: stack.map(h => h.text), lines: [] });
    } else {
      result[result.length - 1].lines.push(line);
    }
  }
  return result;
}

/** Splits text longer than `max` at paragraph, then sentence, then word boundaries. */
export function splitText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  const paragraphs = text.split(/\n\s*\n/);
  let current = '';
  const flush = () => {
    if (current.trim()) pieces.push(current.trim());
    current = '';
  };
  for (const paragraph of paragraphs) {
    const candidate = current ? `${current}\n\n${paragraph}` : paragraph;
    if (candidate.length <= max) {
      current = candidate;
      continue;
    }
    flush();
    if (paragraph.length <= max) {
      current = paragraph;
      continue;
    }
    // One paragraph longer than a chunk: by sentences, and words as a last resort.
    const sentences = paragraph.match(/[^.!?\n]+(?:[.!?]+|\n|$)\s*/g) ?? [
      paragraph,
    ];
    for (const sentence of sentences) {
      if ((current + sentence).length <= max) {
        current += sentence;
        continue;
      }
      flush();
      let rest = sentence;
      while (rest.length > max) {
        const cut = rest.lastIndexOf(' ', max);
        const at = cut > max / 2 ? cut : max;
        pieces.push(rest.slice(0, at).trim());
        rest = rest.slice(at);
      }
      current = rest;
    }
  }
  flush();
  return pieces;
}

/**
 * Heading-aware chunking: one chunk per section (heading and the text up to the
 * next heading), sections longer than `maxChars` split at paragraph and sentence
 * boundaries. Each chunk carries its heading path, anchor and content hash.
 */
export function chunkMarkdown(
  markdown: string,
  options: { maxChars: number },
): Chunk[] {
  const chunks: Chunk[] = [];
  for (const section of sections(markdown)) {
    const body = section.lines.join('\n').trim();
    if (!body) continue;
    const heading = section.path.length
      ? section.path.join(HEADING_SEPARATOR)
      : undefined;
    const anchor = section.path.length
      ? headingAnchor(section.path[section.path.length - 1])
      : undefined;
    for (const text of splitText(body, options.maxChars)) {
      chunks.push({
        index: chunks.length,
        heading,
        anchor,
        text,
        contentHash: hashText(`${heading ?? ''}\n${text}`),
      });
    }
  }
  return chunks;
}

/**
 * Front matter of a Markdown file (`---` YAML block at the top), read as flat
 * `key: value` pairs, and the body after it.
 */
export function splitFrontMatter(markdown: string): {
  attributes: Record<string, string>;
  body: string;
} {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(markdown);
  if (!match) return { attributes: {}, body: markdown };
  const attributes: Record<string, string> = {};
  for (const line of match[1].split(/\r?\n/)) {
    const kv = /^([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$/.exec(line);
    if (kv) attributes[kv[1]] = kv[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return { attributes, body: markdown.slice(match[0].length) };
}
