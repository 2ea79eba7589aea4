import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';

/** The annotation that gives an entity TechDocs (the catalog filter of the source). */
export const TECHDOCS_REF_ANNOTATION = 'backstage.io/techdocs-ref';

/** One entry of MkDocs' `search/search_index.json`: a page (no `#`) or one of its sections. */
export interface TechDocsSearchEntry {
  location: string;
  title: string;
  text: string;
}

export interface TechDocsSection {
  /** MkDocs' own anchor of the section's heading (absent: the page's text before any heading). */
  anchor?: string;
  title: string;
  text: string;
}

export interface TechDocsPage {
  /** Path of the page in the site, e.g. `runbooks/consumer-lag/` (`''`: the home page). */
  location: string;
  title: string;
  sections: TechDocsSection[];
}

/**
 * The built site's pages from its search index: every page with its sections in order.
 * A page without sections keeps its own text as one section; with sections, the page
 * entry (all of its text again) is left out.
 */
export function techDocsPages(entries: TechDocsSearchEntry[]): TechDocsPage[] {
  const pages = new Map<string, TechDocsPage & { ownText: string }>();
  const pageOf = (location: string) => {
    let page = pages.get(location);
    if (!page) {
      page = { location, title: location, sections: [], ownText: '' };
      pages.set(location, page);
    }
    return page;
  };
  for (const entry of entries) {
    const hash = entry.location.indexOf('#');
    if (hash < 0) {
      const page = pageOf(entry.location);
      page.title = entry.title;
      page.ownText = entry.text;
    } else {
      const text = entry.text.trim();
      if (!text) continue;
      pageOf(entry.location.slice(0, hash)).sections.push({
        anchor: entry.location.slice(hash + 1) || undefined,
        title: entry.title,
        text,
      });
    }
  }
  return [...pages.values()].map(({ ownText, ...page }) => ({
    ...page,
    sections:
      page.sections.length > 0 || !ownText.trim()
        ? page.sections
        : [{ title: page.title, text: ownText.trim() }],
  }));
}

/** The entity's path in TechDocs' routes: `<namespace>/<kind>/<name>`, as TechDocs lower-cases it. */
function entityPath(entity: Entity): string {
  return [
    entity.metadata.namespace ?? 'default',
    entity.kind,
    entity.metadata.name,
  ]
    .map(part => encodeURIComponent(part.toLocaleLowerCase('en-US')))
    .join('/');
}

/** A page (and section) of the entity's docs in the portal's TechDocs reader. */
export function techDocsPageUrl(
  entity: Entity,
  location: string,
  anchor?: string,
): string {
  return `/docs/${entityPath(entity)}/${location}${anchor ? `#${anchor}` : ''}`;
}

/** The TechDocs backend's answer to a sync: an event stream ending in `finish` or `error`. */
function syncOutcome(stream: string): { error?: string } {
  for (const block of stream.split('\n\n')) {
    const lines = block.split('\n');
    const event = lines.find(l => l.startsWith('event: '))?.slice(7);
    if (event !== 'error') continue;
    const data = lines
      .filter(l => l.startsWith('data: '))
      .map(l => l.slice(6))
      .join('\n');
    try {
      return { error: String(JSON.parse(data)) };
    } catch {
      return { error: data || 'the build failed' };
    }
  }
  return {};
}

/**
 * Reads an entity's built TechDocs through the TechDocs backend, as the plugin itself:
 * the site's search index (`search/search_index.json`, which MkDocs writes with every
 * build). Docs not built yet are built first through the backend's sync endpoint, as the
 * TechDocs reader does on a first visit (with `techdocs.builder: local`).
 */
export class TechDocsReader {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      logger: LoggerService;
      /** Longest wait for one entity's build. Default: 120 s. */
      buildTimeoutMs?: number;
    },
  ) {}

  async searchIndex(entity: Entity): Promise<TechDocsSearchEntry[]> {
    const base = await this.options.discovery.getBaseUrl('techdocs');
    const headers = await this.headers();
    const indexUrl = `${base}/static/docs/${entityPath(
      entity,
    )}/search/search_index.json`;
    let res = await fetch(indexUrl, { headers });
    if (res.status === 404) {
      await res.body?.cancel();
      await this.build(entity, base, headers);
      res = await fetch(indexUrl, { headers });
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(
        `the TechDocs backend answered ${
          res.status
        } for the search index of ${stringifyEntityRef(entity)}`,
      );
    }
    const body = (await res.json()) as { docs?: TechDocsSearchEntry[] };
    return Array.isArray(body.docs) ? body.docs : [];
  }

  private async headers() {
    const { token } = await this.options.auth.getPluginRequestToken({
      onBehalfOf: await this.options.auth.getOwnServiceCredentials(),
      targetPluginId: 'techdocs',
    });
    return { Authorization: `Bearer ${token}` };
  }

  private async build(
    entity: Entity,
    base: string,
    headers: Record<string, string>,
  ) {
    const ref = stringifyEntityRef(entity);
    this.options.logger.info('RAG chat: building TechDocs not built yet', {
      entity: ref,
    });
    const res = await fetch(`${base}/sync/${entityPath(entity)}`, {
      headers: { ...headers, Accept: 'text/event-stream' },
      signal: AbortSignal.timeout(this.options.buildTimeoutMs ?? 120_000),
    });
    const stream = await res.text();
    if (!res.ok) {
      throw new Error(
        `the TechDocs backend answered ${res.status} to building the docs of ${ref}`,
      );
    }
    const { error } = syncOutcome(stream);
    if (error) {
      throw new Error(`building the TechDocs of ${ref} failed: ${error}`);
    }
  }
}
