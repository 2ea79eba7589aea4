export { ragChatApiRef } from './RagChatApi';
export type { RagChatApi } from './RagChatApi';
export { RagChatClient } from './RagChatClient';
