import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  EMBEDDING_DIMENSIONS,
  EMBEDDING_MODEL,
  defaultModelDir,
  missingModelFiles,
} from '@internal/embeddings';

export interface OpenAiEndpointConfig {
  baseUrl: string;
  model: string;
  apiKey?: string;
}

export interface IngestorEmbeddingsConfig {
  connection?: string;
  table: string;
  columns: {
    sourceRef: string;
    chunkIndex: string;
    content: string;
    embedding: string;
  };
  entityRef?: string;
  reuseEmbeddings: boolean;
  title: string;
  urlTemplate?: string;
}

export interface RagChatConfig {
  chat?: OpenAiEndpointConfig & {
    temperature: number;
    maxTokens: number;
    firstTokenTimeoutMs: number;
  };
  embeddings?: OpenAiEndpointConfig & { batchSize: number };
  /**
   * With no endpoint: all-MiniLM-L6-v2 in this process, from `modelDir`
   * (`missing`: the model files not there; then full text only, with a notice).
   */
  inProcessEmbeddings?: {
    model: string;
    modelDir: string;
    missing: string[];
    batchSize: number;
  };
  dimensions: number;
  store: {
    connection?: string;
    schema: string;
    dataDir?: string;
    efSearch: number;
  };
  sources: {
    catalog: { enabled: boolean; kinds?: string[] };
    docs: {
      paths: string[];
      extensions: string[];
      root?: string;
      urlBase?: string;
    };
    /** The built TechDocs of every entity with backstage.io/techdocs-ref. */
    techdocs: { enabled: boolean };
    ingestorEmbeddings?: IngestorEmbeddingsConfig;
  };
  index: { intervalMinutes: number; maxChunkChars: number };
  retrieval: {
    passages: number;
    candidates: number;
    rrfK: number;
    minSimilarity: number;
    minTermCoverage: number;
    readableCacheSeconds: number;
  };
  limits: {
    maxQuestionChars: number;
    questionsPerMinute: number;
    historyTurns: number;
  };
}

/**
 * An endpoint counts as configured when both its base URL and model are set;
 * one without the other is a mistake worth failing on at start-up.
 */
function readEndpoint(
  config: Config,
  key: string,
): OpenAiEndpointConfig | undefined {
  const baseUrl = config.getOptionalString(`${key}.baseUrl`);
  const model = config.getOptionalString(`${key}.model`);
  if (!baseUrl && !model) {
    return undefined;
  }
  if (!baseUrl || !model) {
    throw new InputError(
      `${key}.baseUrl and ${key}.model must be set together (only ${
        baseUrl ? 'baseUrl' : 'model'
      } is set)`,
    );
  }
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    model,
    apiKey: config.getOptionalString(`${key}.apiKey`),
  };
}

/** Reads ragChat.* (see config.d.ts for the keys and defaults). */
export function readRagChatConfig(config: Config): RagChatConfig {
  const chat = readEndpoint(config, 'ragChat.chat');
  const embeddings = readEndpoint(config, 'ragChat.embeddings');
  const ingestor = config.getOptionalConfig(
    'ragChat.sources.ingestorEmbeddings',
  );
  const schema = config.getOptionalString('ragChat.store.schema') ?? 'rag_chat';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new InputError(
      `ragChat.store.schema must be a lower-case SQL identifier, got '${schema}'`,
    );
  }
  const batchSize =
    config.getOptionalNumber('ragChat.embeddings.batchSize') ?? 32;
  const inProcess =
    !embeddings &&
    (config.getOptionalBoolean('ragChat.embeddings.inProcess') ?? true);
  const dimensions =
    config.getOptionalNumber('ragChat.embeddings.dimensions') ??
    EMBEDDING_DIMENSIONS;
  if (inProcess && dimensions !== EMBEDDING_DIMENSIONS) {
    throw new InputError(
      `ragChat.embeddings.dimensions is ${dimensions}, but the in-process model ${EMBEDDING_MODEL} ` +
        `(used while ragChat.embeddings.baseUrl is unset) has ${EMBEDDING_DIMENSIONS}; ` +
        'unset it, or set ragChat.embeddings.baseUrl and model for an endpoint of that size',
    );
  }
  const modelDir =
    config.getOptionalString('ragChat.embeddings.modelDir') ??
    defaultModelDir();
  return {
    chat: chat && {
      ...chat,
      temperature: config.getOptionalNumber('ragChat.chat.temperature') ?? 0.1,
      maxTokens: config.getOptionalNumber('ragChat.chat.maxTokens') ?? 800,
      firstTokenTimeoutMs:
        (config.getOptionalNumber('ragChat.chat.firstTokenTimeoutSeconds') ??
          30) * 1000,
    },
    embeddings: embeddings && { ...embeddings, batchSize },
    inProcessEmbeddings: inProcess
      ? {
          model: EMBEDDING_MODEL,
          modelDir,
          missing: missingModelFiles(modelDir),
          batchSize,
        }
      : undefined,
    dimensions,
    store: {
      connection: config.getOptionalString('ragChat.store.connection'),
      schema,
      dataDir: config.getOptionalString('ragChat.store.dataDir'),
      efSearch: config.getOptionalNumber('ragChat.store.efSearch') ?? 100,
    },
    sources: {
      catalog: {
        enabled:
          config.getOptionalBoolean('ragChat.sources.catalog.enabled') ?? true,
        kinds: config.getOptionalStringArray('ragChat.sources.catalog.kinds'),
      },
      docs: {
        paths:
          config.getOptionalStringArray('ragChat.sources.docs.paths') ?? [],
        extensions: config.getOptionalStringArray(
          'ragChat.sources.docs.extensions',
        ) ?? ['.md'],
        root: config.getOptionalString('ragChat.sources.docs.root'),
        urlBase: config.getOptionalString('ragChat.sources.docs.urlBase'),
      },
      techdocs: {
        enabled:
          config.getOptionalBoolean('ragChat.sources.techdocs.enabled') ?? true,
      },
      ingestorEmbeddings: ingestor && {
        connection: ingestor.getOptionalString('connection'),
        table: ingestor.getOptionalString('table') ?? 'ingestor_embeddings',
        columns: {
          sourceRef:
            ingestor.getOptionalString('columns.sourceRef') ?? 'source_ref',
          chunkIndex:
            ingestor.getOptionalString('columns.chunkIndex') ?? 'chunk_index',
          content: ingestor.getOptionalString('columns.content') ?? 'content',
          embedding:
            ingestor.getOptionalString('columns.embedding') ?? 'embedding',
        },
        entityRef: ingestor.getOptionalString('entityRef'),
        reuseEmbeddings: ingestor.getOptionalBoolean('reuseEmbeddings') ?? true,
        title: ingestor.getOptionalString('title') ?? 'Ingested: {ref}',
        urlTemplate: ingestor.getOptionalString('urlTemplate'),
      },
    },
    index: {
      intervalMinutes:
        config.getOptionalNumber('ragChat.index.intervalMinutes') ?? 10,
      maxChunkChars:
        config.getOptionalNumber('ragChat.index.maxChunkChars') ?? 1200,
    },
    retrieval: {
      passages: config.getOptionalNumber('ragChat.retrieval.passages') ?? 6,
      candidates:
        config.getOptionalNumber('ragChat.retrieval.candidates') ?? 40,
      rrfK: config.getOptionalNumber('ragChat.retrieval.rrfK') ?? 60,
      minSimilarity:
        config.getOptionalNumber('ragChat.retrieval.minSimilarity') ?? 0.3,
      minTermCoverage:
        config.getOptionalNumber('ragChat.retrieval.minTermCoverage') ?? 0.5,
      readableCacheSeconds:
        config.getOptionalNumber('ragChat.retrieval.readableCacheSeconds') ??
        30,
    },
    limits: {
      maxQuestionChars:
        config.getOptionalNumber('ragChat.limits.maxQuestionChars') ?? 4000,
      questionsPerMinute:
        config.getOptionalNumber('ragChat.limits.questionsPerMinute') ?? 20,
      historyTurns:
        config.getOptionalNumber('ragChat.limits.historyTurns') ?? 6,
    },
  };
}

/** The notices that name the keys to set, shown in the UI and with answers. */
export function configurationNotices(config: RagChatConfig): string[] {
  const notices: string[] = [];
  if (!config.chat) {
    notices.push(
      'No chat model is configured: answers quote the most relevant passages. ' +
        'Set ragChat.chat.baseUrl and ragChat.chat.model (an OpenAI-compatible endpoint) for written answers.',
    );
  }
  const local = config.inProcessEmbeddings;
  if (local && local.missing.length > 0) {
    notices.push(
      `Retrieval is full-text only: the in-process embedding model's files (${local.missing.join(
        ', ',
      )}) are not in ${local.modelDir}. ` +
        './scripts/start.sh fetches them (or scripts/sandbox model fetch); ' +
        'set ragChat.embeddings.modelDir where they are, or ragChat.embeddings.baseUrl and ragChat.embeddings.model for an endpoint.',
    );
  } else if (!config.embeddings && !local) {
    notices.push(
      'Retrieval is full-text only: no embeddings endpoint is configured and ragChat.embeddings.inProcess is false. ' +
        'Set ragChat.embeddings.baseUrl, ragChat.embeddings.model and ragChat.embeddings.dimensions for semantic search, or unset inProcess.',
    );
  }
  return notices;
}

/** Which embeddings retrieval uses, in words for messages, and the keys that choose it. */
export function embeddingsSource(config: RagChatConfig):
  | {
      kind: 'endpoint' | 'in-process';
      model: string;
      description: string;
      keys: string;
    }
  | undefined {
  if (config.embeddings) {
    return {
      kind: 'endpoint',
      model: config.embeddings.model,
      description: 'the embeddings endpoint',
      keys: 'ragChat.embeddings.baseUrl and ragChat.embeddings.model',
    };
  }
  const local = config.inProcessEmbeddings;
  if (local && local.missing.length === 0) {
    return {
      kind: 'in-process',
      model: local.model,
      description: 'the in-process embedding model',
      keys: 'ragChat.embeddings.modelDir',
    };
  }
  return undefined;
}
