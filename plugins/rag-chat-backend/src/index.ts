/**
 * Backend of the RAG chat plugin.
 *
 * @packageDocumentation
 */
export { ragChatPlugin as default } from './plugin';
