import { Passage } from '@internal/plugin-rag-chat-common';
import { RagChatConfig } from '../config';
import { TextEmbedder } from '../model/embedders';
import {
  AccessFilter,
  Candidate,
  CandidateFilter,
  ChunkStore,
  LexicalHit,
  VectorHit,
} from '../store/ChunkStore';
import { describeFailure } from './errors';
import { reciprocalRankFusion } from './fusion';

export interface Retrieval {
  /** The relevant passages, best first, numbered from 1. */
  passages: Passage[];
  /** Whether vector search took part. */
  usedVectors: boolean;
  /**
   * Set when the embeddings endpoint failed for this question (full-text only then):
   * what went wrong, safe to show; the full error is `embeddingErrorDetail`, for the log.
   */
  embeddingError?: string;
  embeddingErrorDetail?: string;
  retrievalMs: number;
  /** Time to the question's embedding, when vectors took part. */
  embeddingMs?: number;
}

/**
 * Who asks, as a question's retrieval sees it: restricted docs and the scope are
 * filtered in SQL; the entities the candidates come from are checked per question
 * with `readable` (the catalog's answer for the asker now), so nothing about
 * another user or an earlier permission is kept.
 */
export interface AskerAccess
  extends Omit<CandidateFilter, 'excludedEntityRefs'> {
  /** Of these entity refs, the ones the asker may read. */
  readable(entityRefs: string[]): Promise<Set<string>>;
}

/** Searches of one page more after candidates were dropped as unreadable. */
const MAX_EXTRA_PAGES = 2;

/**
 * The read permission of the entities behind one question's candidates: each
 * entity is asked about once, and the entities of the full-text candidates while
 * the question's embedding is still on its way.
 */
class EntityChecks {
  private readonly decided = new Map<string, Promise<boolean>>();

  constructor(private readonly access: AskerAccess) {}

  /** Which of these entities are unreadable (each asked about once per question). */
  async denied(refs: string[]): Promise<Set<string>> {
    const fresh = [...new Set(refs)].filter(r => !this.decided.has(r));
    if (fresh.length > 0) {
      const readable = this.access.readable(fresh);
      for (const ref of fresh) {
        this.decided.set(
          ref,
          readable.then(set => set.has(ref)),
        );
      }
    }
    const answers = await Promise.all(
      refs.map(async ref => [ref, await this.decided.get(ref)!] as const),
    );
    return new Set(answers.filter(([, ok]) => !ok).map(([ref]) => ref));
  }

  /**
   * The readable ones of a search's candidates: a full page left with fewer than
   * `enough` is searched again without the unreadable entities, so that others fill it.
   */
  async keepReadable<H>(
    search: (excluded: string[]) => Promise<Candidate<H>[]>,
    limit: number,
    enough: number,
  ): Promise<Candidate<H>[]> {
    const excluded = new Set<string>();
    for (let page = 0; ; page++) {
      const hits = await search([...excluded]);
      const denied = await this.denied(
        hits.flatMap(h => (h.entityRef ? [h.entityRef] : [])),
      );
      const kept = hits.filter(h => !h.entityRef || !denied.has(h.entityRef));
      if (
        kept.length === hits.length ||
        kept.length >= enough ||
        hits.length < limit ||
        page === MAX_EXTRA_PAGES
      ) {
        return kept;
      }
      denied.forEach(ref => excluded.add(ref));
    }
  }
}

/** A list of readable entities (benchmarks, tests) as a per-question check. */
function asAskerAccess(access: AccessFilter | AskerAccess): AskerAccess {
  if (!('readableEntityRefs' in access)) return access;
  const readable = new Set(access.readableEntityRefs);
  return {
    principalRefs: access.principalRefs,
    scopeEntityRefs: access.scopeEntityRefs,
    readable: async refs => new Set(refs.filter(r => readable.has(r))),
  };
}

/**
 * Hybrid retrieval: vector top-k (HNSW) and full-text top-k, filtered by the
 * asker's access, fused by reciprocal rank. A fused candidate is relevant when its
 * cosine similarity or its share of the question's terms reaches the configured
 * threshold; only relevant ones become passages.
 */
export class Retriever {
  constructor(
    private readonly options: {
      store: ChunkStore;
      embeddings?: TextEmbedder;
      retrieval: RagChatConfig['retrieval'];
    },
  ) {}

  /**
   * With no embeddings endpoint (ragChat.embeddings unset), full-text only. The
   * access is either the asker's (entities checked per candidate) or a list of the
   * entities that may be read (filtered in SQL as well).
   */
  async retrieve(
    query: string,
    access: AccessFilter | AskerAccess,
  ): Promise<Retrieval> {
    const started = performance.now();
    const { store, embeddings, retrieval } = this.options;
    const asker = asAskerAccess(access);
    const checks = new EntityChecks(asker);
    const filter = (excluded: string[]): AccessFilter | CandidateFilter =>
      'readableEntityRefs' in access
        ? access
        : {
            principalRefs: access.principalRefs,
            scopeEntityRefs: access.scopeEntityRefs,
            excludedEntityRefs: excluded,
          };
    let embeddingError: string | undefined;
    let embeddingErrorDetail: string | undefined;
    let embeddingMs: number | undefined;
    let vector: number[] | undefined;
    // The full-text search, and the permission check of its candidates' entities, do
    // not wait for the question's embedding.
    const lexical = checks.keepReadable<LexicalHit>(
      excluded =>
        store.lexicalCandidates(query, filter(excluded), retrieval.candidates),
      retrieval.candidates,
      retrieval.passages,
    );
    // Handled where it is awaited below; this keeps a failure meanwhile from being "unhandled".
    lexical.catch(() => undefined);
    let vectorHits: Candidate<VectorHit>[] = [];
    if (embeddings) {
      try {
        [vector] = await embeddings.embed([query]);
      } catch (error) {
        embeddingError = describeFailure(error);
        embeddingErrorDetail = String(error);
      }
      embeddingMs = performance.now() - started;
      if (vector) {
        const v = vector;
        vectorHits = await checks.keepReadable<VectorHit>(
          excluded =>
            store.vectorCandidates(v, filter(excluded), retrieval.candidates),
          retrieval.candidates,
          retrieval.passages,
        );
      }
    }
    const lexicalHits = await lexical;
    const similarity = new Map(vectorHits.map(h => [h.id, h.similarity]));
    const coverage = new Map(lexicalHits.map(h => [h.id, h.coverage]));
    const fused = reciprocalRankFusion(
      [vectorHits.map(h => h.id), lexicalHits.map(h => h.id)],
      retrieval.rrfK,
    ).filter(
      f =>
        (similarity.get(f.id) ?? -1) >= retrieval.minSimilarity ||
        (coverage.get(f.id) ?? 0) >= retrieval.minTermCoverage,
    );
    const top = fused.slice(0, retrieval.passages);
    const chunks = await store.getChunks(top.map(f => f.id));
    const passages = top.flatMap((f): Passage[] => {
      const chunk = chunks.get(f.id);
      // Re-indexed meanwhile: left out.
      if (!chunk) return [];
      return [
        {
          n: 0,
          sourceId: chunk.sourceId,
          kind: chunk.kind,
          title: chunk.title,
          heading: chunk.heading,
          url: chunk.url,
          entityRef: chunk.entityRef,
          text: chunk.text,
          score: f.score,
          similarity: similarity.get(f.id),
          termCoverage: coverage.get(f.id),
        },
      ];
    });
    passages.forEach((p, i) => (p.n = i + 1));
    return {
      passages,
      usedVectors: !!vector,
      embeddingError,
      embeddingErrorDetail,
      embeddingMs,
      retrievalMs: performance.now() - started,
    };
  }
}
