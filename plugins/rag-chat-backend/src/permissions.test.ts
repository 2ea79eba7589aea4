/*
 * The chat's ask permission through the real permission framework: the permission
 * backend with a policy that denies rag.chat.ask to one user, the plugin's permissions
 * service asking it over HTTP. No sandbox needed: the embedded store, the docs of the
 * fixtures, full-text retrieval.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ALLOWED_USER as ALLOWED,
  DENIED_USER as DENIED,
  startDenyingTestBackend,
} from '@internal/platform-node/testUtils';
import { ragChatAskPermission } from '@internal/plugin-rag-chat-common';
import request from 'supertest';
import { ragChatPlugin } from './plugin';
import { ENTITIES, writeDocs } from './__testUtils__/fixtures';

jest.setTimeout(120_000);

describe('rag-chat permissions', () => {
  const root = writeDocs();
  let server: Awaited<ReturnType<typeof startDenyingTestBackend>>['server'];
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    ({ server } = await startDenyingTestBackend({
      features: [
        ragChatPlugin,
        catalogServiceMock.factory({ entities: ENTITIES }),
        mockServices.scheduler.factory({
          includeInitialDelayedTasksOnStartup: true,
        }),
      ],
      config: {
        ragChat: {
          sources: { docs: { paths: [path.join(root, 'docs')], root } },
        },
      },
      // DENIED may not ask; ALLOWED may do everything.
      deny: { permission: ragChatAskPermission, user: DENIED },
    }));
  });

  const as = (user: string) => ({
    Authorization: mockCredentials.user.header(user),
  });

  it('registers its permissions with the permission framework', async () => {
    const res = await request(server).get(
      '/api/rag-chat/.well-known/backstage/permissions/metadata',
    );
    expect(res.status).toBe(200);
    expect(res.body.permissions.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['rag.chat.ask', 'rag.chat.feedback.export']),
    );
  });

  it('answers 403 and no data to a user the policy denies', async () => {
    const question = {
      question: 'How many brokers does the Kafka cluster have?',
    };
    const allowed = await request(server)
      .post('/api/rag-chat/chat')
      .set(as(ALLOWED))
      .send(question);
    expect(allowed.status).toBe(200);
    expect(allowed.text).toMatch(/three brokers/);

    const denied = await request(server)
      .post('/api/rag-chat/chat')
      .set(as(DENIED))
      .send(question);
    expect(denied.status).toBe(403);
    expect(denied.headers['content-type']).toMatch(/^application\/json/);
    expect(denied.body.error).toMatchObject({
      name: 'NotAllowedError',
      message: 'Not allowed: rag.chat.ask',
    });
    expect(denied.text).not.toMatch(/brokers/);
    // The question is checked and retrieved while the decision is on its way, but the
    // decision answers first: a denied user's 100 KB question is 403, not the 400 an
    // allowed user gets for it.
    const long = { question: 'x'.repeat(100_000) };
    const deniedLong = await request(server)
      .post('/api/rag-chat/chat')
      .set(as(DENIED))
      .send(long);
    expect(deniedLong.status).toBe(403);
    const allowedLong = await request(server)
      .post('/api/rag-chat/chat')
      .set(as(ALLOWED))
      .send(long);
    expect(allowedLong.status).toBe(400);

    for (const url of [
      '/api/rag-chat/status',
      '/api/rag-chat/conversations',
      `/api/rag-chat/sources/${encodeURIComponent('doc:docs/platform.md')}`,
    ]) {
      const res = await request(server).get(url).set(as(DENIED));
      expect({ url, status: res.status }).toEqual({ url, status: 403 });
      expect(Object.keys(res.body).sort()).toEqual([
        'error',
        'request',
        'response',
      ]);
    }
    // The denied question left nothing behind: only the allowed user's conversation exists.
    const conversations = await request(server)
      .get('/api/rag-chat/conversations')
      .set(as(ALLOWED));
    expect(conversations.body).toHaveLength(1);
  });
});
