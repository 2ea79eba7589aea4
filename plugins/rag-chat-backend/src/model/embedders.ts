import { InProcessEmbedder } from '@internal/embeddings';
import { RagChatConfig, embeddingsSource } from '../config';
import { EmbeddingsClient } from './openai';

/** What indexing and retrieval embed with: an endpoint, or the model in this process. */
export interface TextEmbedder {
  /** Recorded with each source's vectors: a different model re-embeds them. */
  readonly model: string;
  /** One vector per text, in order, each of the store's dimensions. */
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
  close(): Promise<void>;
}

/**
 * all-MiniLM-L6-v2 in a worker thread of the backend, started on the first
 * request (a start that fails is tried again by the next one). Texts go in
 * batches of `batchSize`, one after another, so that a question's embedding
 * waits for at most one batch of an index run.
 */
export class InProcessEmbeddings implements TextEmbedder {
  private started?: Promise<InProcessEmbedder>;

  constructor(
    private readonly options: {
      model: string;
      modelDir: string;
      batchSize: number;
    },
  ) {}

  get model(): string {
    return this.options.model;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const embedder = await this.start();
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += this.options.batchSize) {
      signal?.throwIfAborted();
      const batch = texts.slice(i, i + this.options.batchSize);
      const result = await embedder.embed(batch);
      vectors.push(...result.vectors.map(v => Array.from(v)));
    }
    return vectors;
  }

  async close(): Promise<void> {
    const started = this.started;
    this.started = undefined;
    await (await started?.catch(() => undefined))?.close();
  }

  private start(): Promise<InProcessEmbedder> {
    if (!this.started) {
      this.started = InProcessEmbedder.start({
        modelDir: this.options.modelDir,
      });
      this.started.catch(() => {
        this.started = undefined;
      });
    }
    return this.started;
  }
}

/**
 * The configured embedder: the endpoint when ragChat.embeddings.baseUrl is set,
 * else the in-process model when its files are there, else none (full text only).
 */
export function createEmbedder(
  config: RagChatConfig,
): TextEmbedder | undefined {
  switch (embeddingsSource(config)?.kind) {
    case 'endpoint':
      return new EmbeddingsClient(config.embeddings!, config.dimensions);
    case 'in-process':
      return new InProcessEmbeddings(config.inProcessEmbeddings!);
    default:
      return undefined;
  }
}
