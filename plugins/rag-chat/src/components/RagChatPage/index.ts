export { RagChatPage } from './RagChatPage';
