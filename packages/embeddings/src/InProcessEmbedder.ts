import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

/*
 * The embedder is plain CommonJS in worker/ (a worker thread loads it without a TypeScript
 * loader); required by its path, so that the build leaves it a file of its own beside dist/.
 */
const core: typeof import('../worker/embedder.cjs') = require(resolvePackagePath(
  '@internal/embeddings',
  'worker/embedder.cjs',
));

/** The model's name, as the sandbox's model server and the chat's store record it. */
export const EMBEDDING_MODEL: string = core.EMBEDDING_MODEL;
/** Dimensions of its vectors. */
export const EMBEDDING_DIMENSIONS: number = core.EMBEDDING_DIMENSIONS;
/** The files a model folder must hold. */
export const MODEL_FILES: readonly string[] = core.MODEL_FILES;

/**
 * Where scripts/lib.sh's `ensure_model` puts the model files:
 * $PORTAL_CACHE/models/all-MiniLM-L6-v2, PORTAL_CACHE defaulting to
 * ~/.cache/platform-portal (or $XDG_CACHE_HOME/platform-portal).
 */
export function defaultModelDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache =
    env.PORTAL_CACHE ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'platform-portal');
  return join(cache, 'models', EMBEDDING_MODEL);
}

/** The model files missing from `modelDir` (none: it can be loaded). */
export function missingModelFiles(modelDir: string): string[] {
  return MODEL_FILES.filter(name => !existsSync(join(modelDir, name)));
}

export interface InProcessEmbedderOptions {
  modelDir: string;
  /** Threads of one ONNX run. Default 1. */
  threads?: number;
}

type Reply =
  | { ready: true }
  | { error: string; id?: number }
  | { id: number; vectors: Float32Array[]; tokens: number };

interface Pending {
  resolve(value: { vectors: Float32Array[]; tokens: number }): void;
  reject(error: Error): void;
}

const workerFile = resolvePackagePath(
  '@internal/embeddings',
  'worker/embed-worker.cjs',
);

/**
 * all-MiniLM-L6-v2 (384 dimensions, unit length) in a worker thread of this
 * process: the same vectors as the sandbox's model server for the same text.
 * Requests are answered in order; a worker that dies fails what it was asked
 * and is started again by the next request.
 */
export class InProcessEmbedder {
  private worker?: Promise<Worker>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  private constructor(private readonly options: InProcessEmbedderOptions) {}

  /** Loads the model; rejects, naming the folder, when its files are missing or unreadable. */
  static async start(
    options: InProcessEmbedderOptions,
  ): Promise<InProcessEmbedder> {
    const missing = missingModelFiles(options.modelDir);
    if (missing.length > 0) {
      throw new Error(
        `the model files ${missing.join(', ')} are missing from ${
          options.modelDir
        }`,
      );
    }
    const embedder = new InProcessEmbedder(options);
    await embedder.ensureWorker();
    return embedder;
  }

  /** Unit-length vectors of `texts`, in order, and the tokens the model read. */
  async embed(
    texts: string[],
  ): Promise<{ vectors: Float32Array[]; tokens: number }> {
    if (texts.length === 0) return { vectors: [], tokens: 0 };
    const worker = await this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, texts });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await (await worker.catch(() => undefined))?.terminate();
  }

  private ensureWorker(): Promise<Worker> {
    if (!this.worker) {
      this.worker = new Promise<Worker>((resolve, reject) => {
        const worker = new Worker(workerFile, {
          workerData: {
            modelDir: this.options.modelDir,
            threads: this.options.threads ?? 1,
          },
        });
        worker.unref();
        worker.on('message', (reply: Reply) => {
          if ('ready' in reply) {
            resolve(worker);
            return;
          }
          if ('error' in reply && reply.id === undefined) {
            reject(
              new Error(`cannot load the embedding model: ${reply.error}`),
            );
            return;
          }
          const pending = this.pending.get(reply.id!);
          this.pending.delete(reply.id!);
          if ('error' in reply) pending?.reject(new Error(reply.error));
          else pending?.resolve(reply);
        });
        const fail = (error: Error) => {
          this.worker = undefined;
          reject(error);
          for (const pending of this.pending.values()) pending.reject(error);
          this.pending.clear();
        };
        worker.on('error', fail);
        worker.on('exit', code =>
          fail(new Error(`the embedding worker exited (code ${code})`)),
        );
      });
      this.worker.catch(() => {
        this.worker = undefined;
      });
    }
    return this.worker;
  }
}
