import {
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { BasicPermission } from '@backstage/plugin-permission-common';
import {
  createAuthorize,
  entityRefSchema,
  parseRequest,
} from '@internal/platform-node';
import {
  ChatStreamEvent,
  formatChatStreamEvent,
  ragChatAskPermission,
  ragChatFeedbackExportPermission,
} from '@internal/plugin-rag-chat-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { describeFailure } from './service/errors';
import { Asker, RagChatService } from './service/types';

const askBody = z.object({
  // The length limit is the service's (ragChat.limits.maxQuestionChars), with its own message.
  question: z.string(),
  conversationId: z.string().uuid().optional(),
  // A full or short entity ref, normalised; a malformed one is a 400 with the reason.
  entityRef: entityRefSchema.optional(),
});

/**
 * What a failed answer tells the user: the chat's own refusals and outages say what to
 * do and which key to set; anything else is logged and reported without its details.
 */
function streamErrorMessage(error: unknown): string {
  if (
    error instanceof ServiceUnavailableError ||
    error instanceof InputError ||
    error instanceof NotFoundError
  ) {
    return error.message;
  }
  return `The answer failed on the server (${describeFailure(
    error,
  )}). Try again; if it keeps failing, the backend log (plugin rag-chat) has the details.`;
}
const feedbackBody = z.object({
  rating: z.enum(['up', 'down']),
  comment: z.string().max(4000).optional(),
});

/**
 * Routes:
 * - GET    /status                         what the chat can do, and the keys that would make it better
 * - POST   /chat                           ask; the answer streams back as server-sent events
 * - GET    /conversations                  the caller's conversations
 * - GET    /conversations/:id              one of them with its messages
 * - DELETE /conversations/:id
 * - PUT    /messages/:id/feedback          thumbs up/down with an optional comment
 * - GET    /feedback/export                every rating as regression cases (JSON Lines)
 * - GET    /sources/:sourceId              an indexed doc or entity text, if the caller may read it
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  service: RagChatService;
  logger: LoggerService;
}): Promise<express.Router> {
  const { httpAuth, userInfo, permissions, service, logger } = options;
  const router = Router();
  // Larger than any allowed question, so that a too long one gets the chat's own 400.
  router.use(express.json({ limit: '1mb' }));

  const authorize = createAuthorize({
    httpAuth,
    permissions,
    permission: ragChatAskPermission,
    allow: ['user'],
  });
  const askerOf = async (
    credentials: Awaited<ReturnType<typeof authorize>>,
  ): Promise<Asker> => {
    const info = await userInfo.getUserInfo(credentials);
    return {
      userRef: info.userEntityRef,
      principalRefs: [info.userEntityRef, ...info.ownershipEntityRefs],
      credentials,
    };
  };
  /** The caller, once the permission (default: ask) allows them. */
  const asker = async (req: Request, permission?: BasicPermission) =>
    askerOf(await authorize(req, permission));

  router.get('/status', async (req, res) => {
    await asker(req);
    res.json(await service.status());
  });

  router.post('/chat', async (req, res) => {
    // The ask permission (a round trip to the permission backend) is decided while the
    // question is checked and its passages retrieved; nothing is stored or sent, and no
    // other error answered, before it allows.
    const credentials = await authorize.credentials(req);
    const allowed = authorize.check(credentials);
    allowed.catch(() => undefined);
    const prepared = askerOf(credentials).then(who =>
      service.prepareAnswer(parseRequest(askBody, req.body, 'body'), who),
    );
    prepared.catch(() => undefined);
    await allowed;
    const answer = await prepared;

    const stopped = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) stopped.abort();
    });
    res.status(200);
    res.set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform keeps the compression middleware from buffering the stream.
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const emit = (event: ChatStreamEvent) => {
      if (res.writableEnded || res.destroyed) return;
      res.write(formatChatStreamEvent(event));
      (res as unknown as { flush?: () => void }).flush?.();
    };
    try {
      await answer.stream(emit, stopped.signal);
    } catch (error) {
      logger.error('RAG chat: answering failed', {
        conversationId: answer.conversationId,
        messageId: answer.messageId,
        error: String(error),
      });
      emit({ type: 'error', message: streamErrorMessage(error) });
    }
    res.end();
  });

  router.get('/conversations', async (req, res) => {
    const { userRef } = await asker(req);
    res.json(await service.listConversations(userRef));
  });

  router.get('/conversations/:id', async (req, res) => {
    const { userRef } = await asker(req);
    res.json(await service.getConversation(userRef, req.params.id));
  });

  router.delete('/conversations/:id', async (req, res) => {
    const { userRef } = await asker(req);
    await service.deleteConversation(userRef, req.params.id);
    res.status(204).end();
  });

  router.put('/messages/:id/feedback', async (req, res) => {
    const { userRef } = await asker(req);
    const body = parseRequest(feedbackBody, req.body, 'body');
    await service.setFeedback(userRef, req.params.id, body);
    res.status(204).end();
  });

  router.get('/feedback/export', async (req, res) => {
    await asker(req, ragChatFeedbackExportPermission);
    const cases = await service.exportFeedback();
    res
      .type('application/x-ndjson')
      .set(
        'Content-Disposition',
        'attachment; filename="rag-chat-regression-cases.jsonl"',
      )
      .send(cases.map(c => JSON.stringify(c)).join('\n'));
  });

  router.get('/sources/:sourceId', async (req, res) => {
    const who = await asker(req);
    res.json(await service.getSource(req.params.sourceId, who));
  });

  return router;
}
