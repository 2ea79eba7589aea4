import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { RagChatConfig } from '../config';
import { Indexer } from '../indexing/Indexer';
import { TechDocsReader } from '../indexing/techdocs';
import { TextEmbedder, createEmbedder } from '../model/embedders';
import { describeFailure } from '../service/errors';
import { Retriever } from '../service/Retriever';
import { ChunkStore } from './ChunkStore';
import { StoreConnection, connectStore } from './connect';

/** Everything that lives on the vector store, opened (and re-opened) together. */
export interface OpenStore {
  connection: StoreConnection;
  store: ChunkStore;
  indexer: Indexer;
  retriever: Retriever;
}

export interface StoreLifecycleOptions {
  config: RagChatConfig;
  logger: LoggerService;
  catalog: CatalogService;
  auth: AuthService;
  /** Where the TechDocs source reads built docs; unset: no TechDocs source. */
  techdocs?: TechDocsReader;
}

const KEY_HINT =
  'Check ragChat.store.connection (unset: the embedded PGlite store)';

/**
 * The vector store's lifecycle: opened at start-up and, after a failure, again
 * by the next caller (a store that is down at start-up is reported and retried
 * per request); what went wrong as a message safe to show (the full error,
 * which may name hosts, goes to the log); closed at shutdown.
 */
export class StoreLifecycle {
  private opening?: Promise<OpenStore>;
  private failure?: string;
  private readonly embeddings?: TextEmbedder;

  constructor(private readonly options: StoreLifecycleOptions) {
    this.embeddings = createEmbedder(options.config);
  }

  /** Why the store is unavailable, for users; undefined while it is open. */
  get error(): string | undefined {
    return this.failure;
  }

  /** The open store; opens it when it is not (yet, or any more). */
  open(): Promise<OpenStore> {
    if (!this.opening) {
      const { config, logger } = this.options;
      this.opening = this.connect();
      this.opening.catch(error => {
        logger.error('RAG chat: the vector store is unavailable', {
          store: config.store.connection ? 'postgres' : 'embedded',
          error: String(error),
        });
        this.failure = `The chat's vector store ${describeFailure(
          error,
        )}. ${KEY_HINT}; the backend log has the details.`;
        this.opening = undefined;
      });
    }
    return this.opening;
  }

  /** The open store, or a ServiceUnavailableError that says what went wrong and which key to check. */
  async require(): Promise<OpenStore> {
    try {
      return await this.open();
    } catch (error) {
      throw new ServiceUnavailableError(
        this.failure ??
          `The chat's vector store ${describeFailure(error)}. ${KEY_HINT}.`,
      );
    }
  }

  async close() {
    const open = await this.opening?.catch(() => undefined);
    await open?.indexer.close();
    await open?.connection.close();
    await this.embeddings?.close();
  }

  private async connect(): Promise<OpenStore> {
    const { config, logger, catalog, auth } = this.options;
    const connection = await connectStore({
      connection: config.store.connection,
      dataDir: config.store.dataDir,
      logger,
    });
    try {
      const store = await ChunkStore.create({
        pool: connection.pool,
        schema: config.store.schema,
        dimensions: config.dimensions,
        efSearch: config.store.efSearch,
      });
      const indexer = new Indexer({
        config,
        store,
        storePool: connection.pool,
        embeddings: this.embeddings,
        catalog,
        auth,
        logger,
        techdocs: this.options.techdocs,
      });
      const retriever = new Retriever({
        store,
        embeddings: this.embeddings,
        retrieval: config.retrieval,
      });
      this.failure = undefined;
      return { connection, store, indexer, retriever };
    } catch (error) {
      await connection.close().catch(() => {});
      throw error;
    }
  }
}
