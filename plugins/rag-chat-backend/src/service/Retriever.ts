import { Passage } from '@internal/plugin-rag-chat-common';
import { RagChatConfig } from '../config';
import { EmbeddingsClient } from '../model/openai';
import { AccessFilter, ChunkStore, VectorHit } from '../store/ChunkStore';
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
 * Hybrid retrieval: vector top-k (HNSW) and full-text top-k, each already
 * filtered by the asker's access in SQL, fused by reciprocal rank. A fused
 * candidate is relevant when its cosine similarity or its share of the
 * question's terms reaches the configured threshold; only relevant ones become
 * passages.
 */
export class Retriever {
  constructor(
    private readonly options: {
      store: ChunkStore;
      embeddings?: EmbeddingsClient;
      retrieval: RagChatConfig['retrieval'];
    },
  ) {}

  /** With no embeddings endpoint (ragChat.embeddings unset), full-text only. */
  async retrieve(query: string, access: AccessFilter): Promise<Retrieval> {
    const started = performance.now();
    const { store, embeddings, retrieval } = this.options;
    let embeddingError: string | undefined;
    let embeddingErrorDetail: string | undefined;
    let embeddingMs: number | undefined;
    let vector: number[] | undefined;
    // The full-text search does not wait for the question's embedding.
    const lexical = store.lexicalSearch(query, access, retrieval.candidates);
    // Handled where it is awaited below; this keeps a failure meanwhile from being "unhandled".
    lexical.catch(() => undefined);
    let vectorHits: VectorHit[] = [];
    if (embeddings) {
      try {
        [vector] = await embeddings.embed([query]);
      } catch (error) {
        embeddingError = describeFailure(error);
        embeddingErrorDetail = String(error);
      }
      embeddingMs = performance.now() - started;
      if (vector) {
        vectorHits = await store.vectorSearch(
          vector,
          access,
          retrieval.candidates,
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
    const passages = top.flatMap((f, i): Passage[] => {
      const chunk = chunks.get(f.id);
      if (!chunk) return [];
      return [
        {
          n: i + 1,
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
