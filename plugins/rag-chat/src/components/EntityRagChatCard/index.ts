export { EntityRagChatCard } from './EntityRagChatCard';
