/**
 * all-MiniLM-L6-v2 sentence embeddings in Node (onnxruntime-node), shared by the
 * chat backend's in-process default and the sandbox's model server.
 *
 * @packageDocumentation
 */
export {
  InProcessEmbedder,
  defaultModelDir,
  missingModelFiles,
  EMBEDDING_DIMENSIONS,
  EMBEDDING_MODEL,
  MODEL_FILES,
} from './InProcessEmbedder';
export type { InProcessEmbedderOptions } from './InProcessEmbedder';
