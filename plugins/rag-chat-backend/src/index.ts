/**
 * Backend of the RAG chat plugin.
 *
 * @packageDocumentation
 */
export { ragChatPlugin as default } from './plugin';

// The parts the plugin is built from, for tools that measure them without a
// backend (bench/rag): the config reader, the store, the indexer, retrieval,
// the model clients and the prompt.
export { readRagChatConfig } from './config';
export type { RagChatConfig } from './config';
export { ChunkStore } from './store/ChunkStore';
export type { AccessFilter, VectorHit } from './store/ChunkStore';
export { Indexer } from './indexing/Indexer';
export type { IndexRunResult } from './indexing/Indexer';
export { Retriever } from './service/Retriever';
export type { Retrieval } from './service/Retriever';
export { ChatClient, EmbeddingsClient } from './model/openai';
export { InProcessEmbeddings, createEmbedder } from './model/embedders';
export type { TextEmbedder } from './model/embedders';
export { buildMessages } from './service/prompt';
