/**
 * Shared by the RAG chat plugin's frontend and backend.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './permissions';
export * from './sse';
export * from './citations';
