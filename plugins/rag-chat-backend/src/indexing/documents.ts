import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { SourceKind } from '@internal/plugin-rag-chat-common';
import { splitFrontMatter } from './chunker';

/** A source as read, before chunking. */
export interface SourceDocument {
  sourceId: string;
  kind: SourceKind;
  title: string;
  url: string;
  entityRef?: string;
  restrictedTo?: string;
  markdown: string;
}

/** The chat's own view of an indexed doc (no other place shows repository docs). */
export function sourceViewerUrl(sourceId: string): string {
  return `/rag-chat/sources/${encodeURIComponent(sourceId)}`;
}

export function entityPageUrl(entity: Entity): string {
  const namespace = entity.metadata.namespace ?? 'default';
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    entity.kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(entity.metadata.name)}`;
}

const HIDDEN_ANNOTATIONS =
  /^backstage\.io\/(managed-by-|source-location|view-url|edit-url)/;

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (
    Array.isArray(value) &&
    value.every(v => typeof v === 'string' || typeof v === 'number')
  ) {
    return value.join(', ');
  }
  return undefined;
}

/**
 * Renders an entity as Markdown: what it is, its spec, annotations, links and
 * relations, so that questions about owners, dependencies or annotations find
 * it. Long definitions (an API's) go in a section of their own.
 */
export function entityToDocument(entity: Entity): SourceDocument {
  const ref = stringifyEntityRef(entity);
  const title = entity.metadata.title ?? entity.metadata.name;
  const lines: string[] = [`# ${title} (${entity.kind})`, ''];
  if (entity.metadata.description) {
    lines.push(entity.metadata.description.trim(), '');
  }
  lines.push(`- Entity: ${ref}`);
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  let definition: string | undefined;
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'definition' && typeof value === 'string') {
      definition = value;
      continue;
    }
    const text = scalar(value);
    if (text !== undefined && text !== '') lines.push(`- ${key}: ${text}`);
  }
  if (entity.metadata.tags?.length) {
    lines.push(`- tags: ${entity.metadata.tags.join(', ')}`);
  }
  for (const [key, value] of Object.entries(
    entity.metadata.annotations ?? {},
  )) {
    if (!HIDDEN_ANNOTATIONS.test(key)) {
      lines.push(`- annotation ${key}: ${value}`);
    }
  }
  for (const link of entity.metadata.links ?? []) {
    lines.push(`- link: ${link.title ?? link.url} (${link.url})`);
  }
  if (entity.relations?.length) {
    lines.push('', '## Relations', '');
    for (const relation of entity.relations) {
      lines.push(`- ${relation.type}: ${relation.targetRef}`);
    }
  }
  if (definition) {
    lines.push('', '## Definition', '', definition.trim());
  }
  return {
    sourceId: `entity:${ref}`,
    kind: 'entity',
    title: `${title} (${entity.kind})`,
    url: entityPageUrl(entity),
    entityRef: ref,
    markdown: lines.join('\n'),
  };
}

async function docFiles(
  target: string,
  extensions: string[],
): Promise<string[]> {
  const wanted = (name: string) => extensions.some(e => name.endsWith(e));
  const stat = await fs.stat(target);
  if (stat.isFile()) return wanted(target) ? [target] : [];
  const files: string[] = [];
  for (const entry of await fs.readdir(target, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) files.push(...(await docFiles(full, extensions)));
    else if (entry.isFile() && wanted(entry.name)) files.push(full);
  }
  return files;
}

/** Code fence languages of the files that are not Markdown, by ending. */
const FENCE_LANGUAGES: Record<string, string> = {
  '.tf': 'hcl',
  '.hcl': 'hcl',
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.json': 'json',
  '.sh': 'sh',
};

/**
 * A file that is not Markdown as a Markdown document: a heading of its path, then its
 * text in a code fence (so that `#` comments of Terraform or YAML stay text, not headings).
 */
function codeDocument(rel: string, raw: string): string {
  const language = FENCE_LANGUAGES[path.extname(rel)] ?? '';
  const longest = Math.max(2, ...(raw.match(/`+/g) ?? []).map(m => m.length));
  const fence = '`'.repeat(longest + 1);
  return `# ${rel}\n\n${fence}${language}\n${raw.trimEnd()}\n${fence}\n`;
}

/**
 * Reads docs from files and directories: Markdown, and files of the other configured
 * endings as code (see `codeDocument`). A doc's id is its path
 * relative to `root`; front matter may give its `title`, restrict it to a
 * group (`restricted-to: group:default/platform-team`) and tie it to a catalog
 * entity (`entity: resource:default/eks-break-glass-role`): then only those who
 * may read that entity get its passages, and the entity page's chat finds it.
 * A doc whose front matter names an invalid ref is skipped (and reported), never
 * indexed without its guard.
 */
export async function readDocs(options: {
  paths: string[];
  /** File name endings to read. Default: [".md"]. */
  extensions?: string[];
  root?: string;
  urlBase?: string;
}): Promise<{
  documents: SourceDocument[];
  missing: string[];
  skipped: Array<{ path: string; reason: string }>;
}> {
  const root = path.resolve(options.root ?? '.');
  const documents: SourceDocument[] = [];
  const missing: string[] = [];
  const skipped: Array<{ path: string; reason: string }> = [];
  const seen = new Set<string>();
  for (const configured of options.paths) {
    let files: string[];
    try {
      files = await docFiles(
        path.resolve(configured),
        options.extensions ?? ['.md'],
      );
    } catch {
      missing.push(configured);
      continue;
    }
    for (const file of files.sort()) {
      const rel = path.relative(root, file).split(path.sep).join('/');
      if (seen.has(rel)) continue;
      seen.add(rel);
      const raw = await fs.readFile(file, 'utf8');
      const sourceId = `doc:${rel}`;
      const url = options.urlBase
        ? `${options.urlBase.replace(/\/+$/, '')}/${rel}`
        : sourceViewerUrl(sourceId);
      if (!file.endsWith('.md')) {
        documents.push({
          sourceId,
          kind: 'doc',
          title: rel,
          url,
          markdown: codeDocument(rel, raw),
        });
        continue;
      }
      const { attributes, body } = splitFrontMatter(raw);
      const h1 = /^#\s+(.+?)\s*#*\s*$/m.exec(body)?.[1];
      const restricted =
        attributes['restricted-to'] ?? attributes.restrictedTo ?? undefined;
      const entity = attributes.entity ?? undefined;
      let restrictedTo: string | undefined;
      let entityRef: string | undefined;
      try {
        restrictedTo = restricted
          ? stringifyEntityRef(
              parseEntityRef(restricted, { defaultKind: 'group' }),
            )
          : undefined;
        entityRef = entity
          ? stringifyEntityRef(parseEntityRef(entity))
          : undefined;
      } catch (error) {
        skipped.push({ path: rel, reason: (error as Error).message });
        continue;
      }
      documents.push({
        sourceId,
        kind: 'doc',
        title: attributes.title ?? h1 ?? path.basename(file, '.md'),
        url,
        entityRef,
        restrictedTo,
        markdown: body,
      });
    }
  }
  return { documents, missing, skipped };
}
