/*
 * The model server's embedder: all-MiniLM-L6-v2 of @internal/embeddings (the same
 * code, and so the same vectors, as the chat backend's in-process default), run
 * in this process; and the sentence scorer the composed answers rank with.
 *
 * The model folder (see sandbox/parts/model.sh, which fetches it) holds
 * model.onnx, tokenizer.json and tokenizer_config.json.
 */
import core from '@internal/embeddings/worker/embedder.cjs';
import type { SentenceScorer } from './chat.ts';

export const { Embedder, EMBEDDING_MODEL, EMBEDDING_DIMENSIONS } = core;
type LoadedEmbedder = InstanceType<typeof core.Embedder>;

/** Cosine similarity of two vectors (a dot product for unit vectors). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / (Math.sqrt(na * nb) || 1);
}

/**
 * Scores sentences by the cosine of their embeddings with the question's. Recent
 * sentence vectors are kept, so passages that come back cost nothing.
 */
export function embeddingScorer(
  embedder: LoadedEmbedder,
  cacheSize = 4096,
): SentenceScorer {
  const cache = new Map<string, Float32Array>();
  return async (question, sentences) => {
    const vectors = new Map<string, Float32Array>();
    const missing: string[] = [];
    for (const s of new Set([question, ...sentences])) {
      const cached = cache.get(s);
      if (cached) vectors.set(s, cached);
      else missing.push(s);
    }
    if (missing.length > 0) {
      const computed = await embedder.embed(missing);
      missing.forEach((s, i) => {
        vectors.set(s, computed.vectors[i]);
        cache.set(s, computed.vectors[i]);
      });
      // A Map keeps insertion order: the oldest entries go first.
      for (const key of cache.keys()) {
        if (cache.size <= cacheSize) break;
        cache.delete(key);
      }
    }
    const q = vectors.get(question)!;
    return sentences.map(s => cosine(q, vectors.get(s)!));
  };
}
