import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { SourceKind } from '@internal/plugin-rag-chat-common';
import pg from 'pg';
import {
  IngestorEmbeddingsConfig,
  RagChatConfig,
  embeddingsSource,
} from '../config';
import { TextEmbedder } from '../model/embedders';
import { describeFailure } from '../service/errors';
import { ChunkRecord, ChunkStore } from '../store/ChunkStore';
import {
  HEADING_SEPARATOR,
  chunkMarkdown,
  hashText,
  splitText,
} from './chunker';
import {
  SourceDocument,
  entityToDocument,
  readDocs,
  sourceViewerUrl,
} from './documents';
import {
  TECHDOCS_REF_ANNOTATION,
  TechDocsReader,
  techDocsPageUrl,
  techDocsPages,
} from './techdocs';

export interface SyncCounts {
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Chunks sent to the embeddings endpoint (unchanged chunks keep their vectors). */
  embeddedChunks: number;
  error?: string;
}

export type IndexRunResult = Partial<Record<SourceKind, SyncCounts>> & {
  startedAt: string;
  durationMs: number;
};

const emptyCounts = (): SyncCounts => ({
  added: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  embeddedChunks: 0,
});

/** A source ready to store: what the store keeps, and its chunks' text to embed. */
interface PreparedSource {
  document: Omit<SourceDocument, 'markdown'> & { body: string };
  contentHash: string;
  chunks: Array<ChunkRecord & { embedText: string }>;
}

function quoteIdentifier(name: string): string {
  return name
    .split('.')
    .map(part => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

/**
 * Incremental indexing. Each run reads every source's current text, compares
 * its hash with the stored one, re-chunks and re-embeds only changed sources
 * (and only their changed chunks), deletes sources that are gone, and records
 * per source when it was last indexed and last checked.
 */
export class Indexer {
  constructor(
    private readonly options: {
      config: RagChatConfig;
      store: ChunkStore;
      storePool: pg.Pool;
      embeddings?: TextEmbedder;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      /** Unset: no TechDocs source (ragChat.sources.techdocs). */
      techdocs?: TechDocsReader;
    },
  ) {}

  private ingestorPool?: pg.Pool;

  async close() {
    await this.ingestorPool?.end();
  }

  async run(): Promise<IndexRunResult> {
    const started = Date.now();
    const result: IndexRunResult = {
      startedAt: new Date(started).toISOString(),
      durationMs: 0,
    };
    const { sources } = this.options.config;
    if (sources.catalog.enabled) {
      result.entity = await this.guard('entity', async () =>
        this.sync('entity', await this.catalogDocuments()),
      );
    }
    result.doc = await this.guard('doc', async () => {
      const { documents, missing, skipped } = await readDocs(sources.docs);
      if (missing.length > 0) {
        this.options.logger.warn(
          'RAG chat: docs paths not found (ragChat.sources.docs.paths)',
          { paths: missing.join(', ') },
        );
      }
      for (const doc of skipped) {
        this.options.logger.warn(
          'RAG chat: doc not indexed, its front matter names an invalid entity ref (entity or restricted-to)',
          { doc: doc.path, reason: doc.reason },
        );
      }
      return this.sync(
        'doc',
        documents.map(d => this.prepare(d)),
      );
    });
    const techdocs = this.options.techdocs;
    if (sources.techdocs.enabled && techdocs) {
      result.techdocs = await this.guard('techdocs', () =>
        this.syncTechDocs(techdocs),
      );
    }
    if (sources.ingestorEmbeddings) {
      const ingestor = sources.ingestorEmbeddings;
      result.ingestor = await this.guard('ingestor', () =>
        this.syncIngestor(ingestor),
      );
    }
    result.durationMs = Date.now() - started;
    this.options.logger.info('RAG chat index run', {
      durationMs: result.durationMs,
      entity: JSON.stringify(result.entity),
      doc: JSON.stringify(result.doc),
      techdocs: JSON.stringify(result.techdocs),
      ingestor: JSON.stringify(result.ingestor),
    });
    return result;
  }

  /** One kind failing (catalog down, table missing) leaves the others indexed. */
  private async guard(
    kind: SourceKind,
    fn: () => Promise<SyncCounts>,
  ): Promise<SyncCounts> {
    try {
      return await fn();
    } catch (error) {
      this.options.logger.warn('RAG chat: indexing sources of a kind failed', {
        kind,
        error: String(error),
      });
      // Shown in the chat's status: what went wrong, without addresses.
      return { ...emptyCounts(), error: describeFailure(error) };
    }
  }

  private async catalogDocuments(): Promise<PreparedSource[]> {
    const { catalog, auth, config } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const kinds = config.sources.catalog.kinds;
    const { items } = await catalog.getEntities(
      kinds ? { filter: { kind: kinds } } : {},
      { credentials },
    );
    return items.map(entity => this.prepare(entityToDocument(entity)));
  }

  private prepare(document: SourceDocument): PreparedSource {
    // The top heading is usually the title itself: leave it out of the heading path.
    const withoutTitle = (heading?: string) => {
      if (heading === document.title) return undefined;
      const prefix = `${document.title}${HEADING_SEPARATOR}`;
      return heading?.startsWith(prefix)
        ? heading.slice(prefix.length)
        : heading;
    };
    const chunks = chunkMarkdown(document.markdown, {
      maxChars: this.options.config.index.maxChunkChars,
    }).map(chunk => ({
      index: chunk.index,
      heading: withoutTitle(chunk.heading),
      url: chunk.anchor ? `${document.url}#${chunk.anchor}` : document.url,
      text: chunk.text,
      contentHash: chunk.contentHash,
      embedText: `${document.title}${
        chunk.heading ? `${HEADING_SEPARATOR}${chunk.heading}` : ''
      }\n${chunk.text}`,
    }));
    const { markdown, ...rest } = document;
    return {
      document: { ...rest, body: markdown },
      // Everything a chunk row carries: a moved doc or a changed group re-indexes.
      contentHash: hashText(
        JSON.stringify([
          markdown,
          rest.title,
          rest.url,
          rest.entityRef,
          rest.restrictedTo,
        ]),
      ),
      chunks,
    };
  }

  /**
   * Stores what changed among `prepared` and deletes the kind's other sources, except
   * those whose id starts with one of `keep` (what could not be read this time stays).
   */
  private async sync(
    kind: SourceKind,
    prepared: PreparedSource[],
    keep: string[] = [],
  ): Promise<SyncCounts> {
    const { store, embeddings } = this.options;
    const counts = emptyCounts();
    const states = await store.sourceStates(kind);
    const kept = [...states.keys()].filter(id =>
      keep.some(prefix => id.startsWith(prefix)),
    );
    for (const id of kept) states.delete(id);
    const wantModel = embeddings?.model ?? null;
    const unchanged: string[] = [];
    for (const source of prepared) {
      const state = states.get(source.document.sourceId);
      states.delete(source.document.sourceId);
      if (
        state &&
        state.contentHash === source.contentHash &&
        state.embeddingModel === wantModel
      ) {
        unchanged.push(source.document.sourceId);
        continue;
      }
      const embeddingModel = await this.embedChunks(source, counts);
      await store.replaceSource(
        {
          ...source.document,
          contentHash: source.contentHash,
          embeddingModel,
        },
        source.chunks,
      );
      if (state) counts.updated += 1;
      else counts.added += 1;
    }
    await store.touchSources(unchanged);
    counts.unchanged = unchanged.length;
    await store.deleteSources([...states.keys()]);
    counts.deleted = states.size;
    return counts;
  }

  /**
   * The built TechDocs of every entity with backstage.io/techdocs-ref: one source per
   * page, one chunk (or more, for a long one) per section, linked to the section in the
   * TechDocs reader and guarded by the entity's read permission. An entity whose docs
   * cannot be read or built keeps what was indexed of them before; the first such
   * failure is the kind's error in the chat's status.
   */
  private async syncTechDocs(reader: TechDocsReader): Promise<SyncCounts> {
    const { catalog, auth, logger, config } = this.options;
    const { items } = await catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${TECHDOCS_REF_ANNOTATION}`]:
            CATALOG_FILTER_EXISTS,
        },
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const prepared: PreparedSource[] = [];
    const keep: string[] = [];
    let firstError: string | undefined;
    for (const entity of items) {
      // A CatalogService that ignores the filter (a test's) must not make every entity a site.
      if (!entity.metadata.annotations?.[TECHDOCS_REF_ANNOTATION]) continue;
      const entityRef = stringifyEntityRef(entity);
      const idPrefix = `techdocs:${entityRef}#`;
      let entries;
      try {
        entries = await reader.searchIndex(entity);
      } catch (error) {
        logger.warn(
          'RAG chat: TechDocs not indexed this time; what was indexed of them stays',
          { entity: entityRef, error: String(error) },
        );
        firstError ??= `${entityRef}: ${describeFailure(error)}`;
        keep.push(idPrefix);
        continue;
      }
      const site = entity.metadata.title ?? entity.metadata.name;
      for (const page of techDocsPages(entries)) {
        const url = techDocsPageUrl(entity, page.location);
        const title = `${page.title} (${site} docs)`;
        const chunks: PreparedSource['chunks'] = [];
        for (const section of page.sections) {
          const heading =
            section.title === page.title ? undefined : section.title;
          const sectionUrl = techDocsPageUrl(
            entity,
            page.location,
            section.anchor,
          );
          for (const text of splitText(
            section.text,
            config.index.maxChunkChars,
          )) {
            chunks.push({
              index: chunks.length,
              heading,
              url: sectionUrl,
              text,
              contentHash: hashText(`${heading ?? ''}\n${text}`),
              embedText: `${page.title}${
                heading ? `${HEADING_SEPARATOR}${heading}` : ''
              }\n${text}`,
            });
          }
        }
        if (chunks.length === 0) continue;
        prepared.push({
          document: {
            sourceId: `${idPrefix}${page.location}`,
            kind: 'techdocs',
            title,
            url,
            entityRef,
            body: page.sections
              .map(s => `## ${s.title}\n\n${s.text}`)
              .join('\n\n'),
          },
          contentHash: hashText(
            JSON.stringify([title, url, entityRef, chunks.map(c => c.text)]),
          ),
          chunks,
        });
      }
    }
    const counts = await this.sync('techdocs', prepared, keep);
    return firstError ? { ...counts, error: firstError } : counts;
  }

  /**
   * Gives the chunks their vectors: kept from the stored chunks with the same
   * content hash, the rest from the embeddings endpoint. Returns the model, or
   * null when there is no endpoint or it failed (full-text search still works;
   * the next run tries again).
   */
  private async embedChunks(
    source: PreparedSource,
    counts: SyncCounts,
  ): Promise<string | null> {
    const { store, embeddings, logger } = this.options;
    if (!embeddings) return null;
    const known = await store.reusableEmbeddings(
      source.document.sourceId,
      embeddings.model,
    );
    const missing = source.chunks.filter(c => !known.has(c.contentHash));
    try {
      const vectors = await embeddings.embed(missing.map(c => c.embedText));
      missing.forEach((c, i) => known.set(c.contentHash, vectors[i]));
      counts.embeddedChunks += missing.length;
    } catch (error) {
      logger.warn(
        'RAG chat: embedding a source failed; indexed for full-text search only',
        { source: source.document.sourceId, error: String(error) },
      );
      // Shown in the chat's status: what went wrong and the key, not the address.
      const used = embeddingsSource(this.options.config);
      counts.error = `${
        used?.description ?? 'the embeddings'
      } ${describeFailure(error)} (check ${
        used?.keys ?? 'ragChat.embeddings'
      }); indexed for full-text search only`;
      for (const c of source.chunks) c.embedding = null;
      return null;
    }
    for (const c of source.chunks) c.embedding = known.get(c.contentHash);
    return embeddings.model;
  }

  /**
   * The ingestors' table, read only: one source per source ref, its rows the
   * chunks. Hashes are computed in the database, so unchanged refs cost no
   * transfer; their vectors are reused when the ingestors embed with the same
   * model (ragChat.sources.ingestorEmbeddings.reuseEmbeddings).
   */
  private async syncIngestor(
    mapping: IngestorEmbeddingsConfig,
  ): Promise<SyncCounts> {
    const { store, storePool, embeddings } = this.options;
    if (mapping.connection && !this.ingestorPool) {
      this.ingestorPool = new pg.Pool({
        connectionString: mapping.connection,
        max: 2,
      });
    }
    const pool = this.ingestorPool ?? storePool;
    const table = quoteIdentifier(mapping.table);
    const col = {
      ref: quoteIdentifier(mapping.columns.sourceRef),
      index: quoteIdentifier(mapping.columns.chunkIndex),
      content: quoteIdentifier(mapping.columns.content),
      embedding: quoteIdentifier(mapping.columns.embedding),
    };
    const reuse = mapping.reuseEmbeddings && !!embeddings;
    const wantModel = embeddings?.model ?? null;
    const marker = reuse ? 'reused' : 'embedded';
    const { rows: hashes } = await pool.query(
      `SELECT ${col.ref} AS ref,
              md5(string_agg(md5(${col.content}), ',' ORDER BY ${col.index})) AS hash
         FROM ${table} GROUP BY ${col.ref}`,
    );
    const counts = emptyCounts();
    const states = await store.sourceStates('ingestor');
    const changed: Array<{ ref: string; hash: string; existed: boolean }> = [];
    const unchanged: string[] = [];
    for (const row of hashes) {
      const sourceId = `ingestor:${row.ref}`;
      const hash = `${row.hash}:${marker}`;
      const state = states.get(sourceId);
      states.delete(sourceId);
      if (
        state &&
        state.contentHash === hash &&
        state.embeddingModel === wantModel
      ) {
        unchanged.push(sourceId);
      } else {
        changed.push({ ref: row.ref, hash, existed: !!state });
      }
    }
    for (let i = 0; i < changed.length; i += 100) {
      const batch = changed.slice(i, i + 100);
      const { rows } = await pool.query(
        `SELECT ${col.ref} AS ref, ${col.index} AS idx, ${
          col.content
        } AS content,
                ${reuse ? `${col.embedding}::text` : 'NULL'} AS embedding
           FROM ${table} WHERE ${col.ref} = ANY($1::text[])
          ORDER BY ${col.ref}, ${col.index}`,
        [batch.map(b => b.ref)],
      );
      for (const item of batch) {
        const sourceId = `ingestor:${item.ref}`;
        const title = mapping.title.replace('{ref}', item.ref);
        const url = mapping.urlTemplate
          ? mapping.urlTemplate.replace('{ref}', encodeURIComponent(item.ref))
          : sourceViewerUrl(sourceId);
        const own = rows.filter(r => r.ref === item.ref);
        const source: PreparedSource = {
          document: {
            sourceId,
            kind: 'ingestor',
            title,
            url,
            entityRef: mapping.entityRef,
            body: own.map(r => r.content).join('\n\n'),
          },
          contentHash: item.hash,
          chunks: own.map((r, index) => ({
            index,
            url,
            text: r.content,
            contentHash: hashText(r.content),
            embedText: r.content,
            embedding:
              r.embedding && reuse
                ? (JSON.parse(r.embedding) as number[])
                : null,
          })),
        };
        let model: string | null;
        if (reuse) {
          const fits = source.chunks.every(
            c => c.embedding?.length === store.dimensions,
          );
          model = fits ? wantModel : null;
          if (!fits) for (const c of source.chunks) c.embedding = null;
        } else {
          model = await this.embedChunks(source, counts);
        }
        await store.replaceSource(
          { ...source.document, contentHash: item.hash, embeddingModel: model },
          source.chunks,
        );
        if (item.existed) counts.updated += 1;
        else counts.added += 1;
      }
    }
    await store.touchSources(unchanged);
    counts.unchanged = unchanged.length;
    await store.deleteSources([...states.keys()]);
    counts.deleted = states.size;
    return counts;
  }
}
