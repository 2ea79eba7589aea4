export interface Config {
  /**
   * The RAG chat: an index of the catalog, the repository's docs and the
   * ingestors' embeddings in PostgreSQL with pgvector, and answers from an
   * OpenAI-compatible chat model. With nothing configured it still answers:
   * full-text retrieval in an embedded PGlite store and extractive answers.
   */
  ragChat?: {
    /** OpenAI-compatible chat completions endpoint. Unset: extractive answers. */
    chat?: {
      /** Base URL up to and including /v1, e.g. http://127.0.0.1:58080/v1. */
      baseUrl?: string;
      /** Model name sent in the request, e.g. platform-chat. */
      model?: string;
      /**
       * Bearer token, if the endpoint needs one.
       * @visibility secret
       */
      apiKey?: string;
      /** Default: 0.1. */
      temperature?: number;
      /** Most tokens an answer may have. Default: 800. */
      maxTokens?: number;
      /** Seconds to wait for the first token before falling back to an extractive answer. Default: 30. */
      firstTokenTimeoutSeconds?: number;
    };
    /**
     * The embeddings of semantic search: an OpenAI-compatible endpoint (baseUrl and
     * model), or, with no baseUrl, all-MiniLM-L6-v2 in this process (a worker
     * thread) from the model files that ./scripts/start.sh fetches.
     */
    embeddings?: {
      /**
       * With no baseUrl: embed in this process. Default: true (false: full-text
       * retrieval only, unless an endpoint is set).
       */
      inProcess?: boolean;
      /**
       * Folder of the in-process model's files (model.onnx, tokenizer.json,
       * tokenizer_config.json). Default: $PORTAL_CACHE/models/all-MiniLM-L6-v2,
       * PORTAL_CACHE defaulting to ~/.cache/platform-portal.
       */
      modelDir?: string;
      /** Base URL up to and including /v1. */
      baseUrl?: string;
      /** Model name, e.g. all-MiniLM-L6-v2. */
      model?: string;
      /**
       * Bearer token, if the endpoint needs one.
       * @visibility secret
       */
      apiKey?: string;
      /** Dimensions of the model's vectors: the store's vector(<dims>) column. Default: 384. */
      dimensions?: number;
      /** Texts per embeddings request (or in-process run). Default: 32. */
      batchSize?: number;
    };
    /** Where chunks and vectors live. */
    store?: {
      /**
       * PostgreSQL connection string of a database with the pgvector extension
       * (available or creatable). Unset: an embedded PGlite with pgvector, in
       * this process.
       * @visibility secret
       */
      connection?: string;
      /** Schema that holds the chat's tables. Default: rag_chat. */
      schema?: string;
      /**
       * Directory of the embedded PGlite store (relative to the backend's working
       * directory). Unset: in memory, re-indexed at every start.
       */
      dataDir?: string;
      /** HNSW search breadth (hnsw.ef_search); higher is better recall, slower. Default: 100. */
      efSearch?: number;
    };
    /** What gets indexed. */
    sources?: {
      catalog?: {
        /** Default: true. */
        enabled?: boolean;
        /** Entity kinds to index. Default: all. */
        kinds?: string[];
      };
      docs?: {
        /**
         * Files or directories (searched recursively for the `extensions`), relative
         * to the backend's working directory. Default: none.
         */
        paths?: string[];
        /**
         * File name endings read from `paths`. Markdown (.md) is split at its
         * headings; any other file (Terraform, YAML, ...) is one document titled by
         * its path, its text kept as code. Default: [".md"].
         */
        extensions?: string[];
        /**
         * Directory that doc ids and links are relative to (e.g. the repository
         * root). Default: the backend's working directory.
         */
        root?: string;
        /**
         * Base URL of the docs (e.g. a repository's blob URL); a citation links to
         * <urlBase>/<path>#<anchor>. Default: the chat's own source viewer.
         */
        urlBase?: string;
      };
      /**
       * The built TechDocs of the catalog's entities with backstage.io/techdocs-ref,
       * read through the TechDocs backend (search/search_index.json of each site,
       * built first when it is not built yet); one source per page, one passage per
       * section, linked to the section in the TechDocs reader, readable by whoever
       * may read the entity.
       */
      techdocs?: {
        /** Default: true. */
        enabled?: boolean;
      };
      /**
       * The LLM ingestors' embeddings table, read only. A row is one chunk; rows
       * with the same source ref form one source.
       */
      ingestorEmbeddings?: {
        /**
         * PostgreSQL connection string of the database holding the table.
         * Default: the store's own database.
         * @visibility secret
         */
        connection?: string;
        /** Table name, optionally schema-qualified. Default: ingestor_embeddings. */
        table?: string;
        columns?: {
          /** Default: source_ref. */
          sourceRef?: string;
          /** Default: chunk_index. */
          chunkIndex?: string;
          /** Default: content. */
          content?: string;
          /** Default: embedding. */
          embedding?: string;
        };
        /**
         * The catalog entity whose read permission guards these chunks, e.g.
         * resource:default/postgres-embeddings. Unset: readable by everyone.
         */
        entityRef?: string;
        /**
         * Reuse the table's vectors instead of embedding the content again: only
         * right when the ingestors use the same model as ragChat.embeddings.
         * Default: true.
         */
        reuseEmbeddings?: boolean;
        /** Title of a source in citations; `{ref}` is the source ref. Default: "Ingested: {ref}". */
        title?: string;
        /** Link of a citation; `{ref}` is the URL-encoded source ref. Default: the chat's source viewer. */
        urlTemplate?: string;
      };
    };
    index?: {
      /** Minutes between two incremental re-index runs. Default: 10. */
      intervalMinutes?: number;
      /** Longest chunk, in characters. Default: 1200. */
      maxChunkChars?: number;
    };
    retrieval?: {
      /** Passages given to the model. Default: 6. */
      passages?: number;
      /** Candidates taken from each of vector and full-text search before fusion. Default: 40. */
      candidates?: number;
      /** Reciprocal-rank-fusion constant. Default: 60. */
      rrfK?: number;
      /** Cosine similarity from which a vector hit counts as relevant. Default: 0.3. */
      minSimilarity?: number;
      /** Share of the question's terms a full-text hit must contain to count as relevant. Default: 0.5. */
      minTermCoverage?: number;
      /**
       * Seconds for which the catalog's answer to "may this user read this entity?" is
       * kept, per user and per entity, for the entities that a question's candidate
       * passages come from (in coreServices.cache). A changed permission shows in the
       * chat within this time; 0 asks the catalog at every question. Default: 30.
       */
      readableCacheSeconds?: number;
    };
    limits?: {
      /** Longest question, in characters. Default: 4000. */
      maxQuestionChars?: number;
      /** Questions per user per minute. Default: 20. */
      questionsPerMinute?: number;
      /** Earlier turns of a conversation given to the model. Default: 6. */
      historyTurns?: number;
    };
  };
}
