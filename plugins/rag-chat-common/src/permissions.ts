import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Asking the chat a question. What an answer may draw on is decided per
 * passage, by the catalog's own read permission on the passage's entity.
 */
export const ragChatAskPermission = createPermission({
  name: 'rag.chat.ask',
  attributes: { action: 'read' },
});

/**
 * Exporting everyone's feedback (question, passages, answer, rating, comment)
 * as regression cases.
 */
export const ragChatFeedbackExportPermission = createPermission({
  name: 'rag.chat.feedback.export',
  attributes: { action: 'read' },
});

export const ragChatPermissions = [
  ragChatAskPermission,
  ragChatFeedbackExportPermission,
];
