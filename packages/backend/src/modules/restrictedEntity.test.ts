/*
 * The portal's restricted-entity rule end to end, through the real parts: the catalog
 * backend loading the repository's own catalog files, the permission backend with the
 * portal's policy (platformPermissionPolicy), and the RAG chat indexing the repository's
 * docs into its embedded store. No sandbox needed (full-text retrieval, extractive answers).
 *
 * resource:default/eks-break-glass-role (catalog/resources.yaml) is annotated
 * ml-platform.io/restricted: 'true' and owned by the platform team; its runbook
 * (docs/runbooks/eks-break-glass.md) is tied to it with `entity:` front matter.
 */
import path from 'node:path';
import {
  AuthService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import catalogBackend from '@backstage/plugin-catalog-backend';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import permissionBackend from '@backstage/plugin-permission-backend';
import ragChatBackend from '@internal/plugin-rag-chat-backend';
import {
  ChatMessage,
  SseParser,
  toChatStreamEvent,
} from '@internal/plugin-rag-chat-common';
import request from 'supertest';
import { platformPermissionPolicy } from './permissionPolicy';

jest.setTimeout(180_000);

const REPO = path.resolve(__dirname, '../../../..');
const RESTRICTED = 'resource:default/eks-break-glass-role';
const RESTRICTED_SOURCES = [
  `entity:${RESTRICTED}`,
  'doc:docs/runbooks/eks-break-glass.md',
];
const RESTRICTED_TITLES = [
  'EKS break-glass role (Resource)',
  'Runbook: EKS break-glass access',
];
/** Words only the restricted entity and its runbook contain. */
const RESTRICTED_TEXT = /platform-break-glass|MFA key|on-call safe/i;
/** A platform-team member, and someone from data engineering (catalog/org.yaml). */
const MEMBER = 'user:default/alice.nguyen';
const OUTSIDER = 'user:default/bruno.costa';
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * The mock auth service, except that a request a plugin makes on behalf of a user
 * carries the plugin as its actor, as with the real auth service: the permission
 * backend answers conditional decisions only to plugins, not to users directly.
 */
const authWithActor = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const inner = mockServices.auth({ pluginId: plugin.getId() });
    const auth: AuthService = {
      authenticate: (token, options) => inner.authenticate(token, options),
      getNoneCredentials: () => inner.getNoneCredentials(),
      getOwnServiceCredentials: () => inner.getOwnServiceCredentials(),
      isPrincipal: ((credentials, type) =>
        inner.isPrincipal(credentials, type)) as AuthService['isPrincipal'],
      getLimitedUserToken: credentials =>
        inner.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => inner.listPublicServiceKeys(),
      async getPluginRequestToken(options) {
        const principal = options.onBehalfOf.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type === 'user' && principal.userEntityRef) {
          return {
            token: mockCredentials.user.token(principal.userEntityRef, {
              actor: { subject: `plugin:${plugin.getId()}` },
            }),
          };
        }
        return inner.getPluginRequestToken(options);
      },
    };
    return auth;
  },
});

/**
 * Ownership refs as a sign-in resolver computes them: the user and the groups the
 * catalog says the user is a member of.
 */
const userInfoFromCatalog = createServiceFactory({
  service: coreServices.userInfo,
  deps: { catalog: catalogServiceRef, auth: coreServices.auth },
  async factory({ catalog, auth }) {
    return {
      async getUserInfo(credentials) {
        const principal = credentials.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type !== 'user' || !principal.userEntityRef) {
          throw new InputError('User info is only available for users');
        }
        const user = await catalog.getEntityByRef(principal.userEntityRef, {
          credentials: await auth.getOwnServiceCredentials(),
        });
        const groups = (user?.relations ?? [])
          .filter(r => r.type === 'memberOf')
          .map(r => r.targetRef);
        return {
          userEntityRef: principal.userEntityRef,
          ownershipEntityRefs: [principal.userEntityRef, ...groups],
        };
      },
    };
  },
});

describe('a restricted entity, through the catalog, the policy and the chat', () => {
  const scheduler = mockServices.scheduler();
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  const get = (url: string, user: string) =>
    request(server)
      .get(url)
      .set('Authorization', mockCredentials.user.header(user));

  async function ask(user: string, question: string): Promise<ChatMessage> {
    const res = await request(server)
      .post('/api/rag-chat/chat')
      .set('Authorization', mockCredentials.user.header(user))
      .send({ question });
    expect(res.status).toBe(200);
    const done = new SseParser()
      .push(res.text)
      .map(toChatStreamEvent)
      .find(e => e?.type === 'done');
    if (done?.type !== 'done') throw new Error(`no answer: ${res.text}`);
    return done.message;
  }

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        catalogBackend,
        permissionBackend,
        platformPermissionPolicy,
        ragChatBackend,
        userInfoFromCatalog,
        authWithActor,
        // No task runs by itself: the chat's index run is triggered below, once the
        // catalog has its entities.
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => scheduler,
        }),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: [{ allow: ['Group', 'User', 'Resource'] }],
              locations: [
                { type: 'file', target: path.join(REPO, 'catalog/org.yaml') },
                {
                  type: 'file',
                  target: path.join(REPO, 'catalog/resources.yaml'),
                },
              ],
            },
            ragChat: {
              sources: {
                docs: { root: REPO, paths: [path.join(REPO, 'docs')] },
              },
            },
          },
        }),
      ],
    }));

    // The catalog processes the files; wait until the entities the test needs are in.
    for (let i = 0; ; i++) {
      const [restricted, outsider] = await Promise.all([
        get(
          `/api/catalog/entities/by-name/resource/default/eks-break-glass-role`,
          MEMBER,
        ),
        get('/api/catalog/entities/by-name/user/default/bruno.costa', MEMBER),
      ]);
      if (
        restricted.status === 200 &&
        outsider.status === 200 &&
        outsider.body.relations?.some(
          (r: { type: string }) => r.type === 'memberOf',
        )
      ) {
        break;
      }
      if (i > 120) {
        throw new Error(
          `the catalog did not load within 60 s: ${
            restricted.status
          } ${JSON.stringify(restricted.body)}, ${
            outsider.status
          } ${JSON.stringify(outsider.body)}`,
        );
      }
      await sleep(500);
    }
    await scheduler.triggerTask('rag-chat-index');
  });

  it('is readable in the catalog by its owners only', async () => {
    const byName =
      '/api/catalog/entities/by-name/resource/default/eks-break-glass-role';
    expect((await get(byName, MEMBER)).status).toBe(200);
    expect((await get(byName, OUTSIDER)).status).toBe(404);

    const names = async (user: string) =>
      (await get('/api/catalog/entities?filter=kind=resource', user)).body.map(
        (e: { metadata: { name: string } }) => e.metadata.name,
      );
    const outsiderSees = await names(OUTSIDER);
    expect(outsiderSees).toContain('eks-data-platform');
    expect(outsiderSees).not.toContain('eks-break-glass-role');
    expect(await names(MEMBER)).toContain('eks-break-glass-role');
  });

  it('gives its passages, titles and citations to a platform-team member only', async () => {
    const question =
      'How do I get break-glass access to the EKS cluster with the MFA key?';

    const member = await ask(MEMBER, question);
    expect(member.passages.map(p => p.sourceId)).toEqual(
      expect.arrayContaining(RESTRICTED_SOURCES),
    );
    expect(member.answer).toMatch(RESTRICTED_TEXT);

    const outsider = await ask(OUTSIDER, question);
    // Other passages may answer (the question is about EKS), never the restricted ones.
    for (const p of outsider.passages) {
      expect(RESTRICTED_SOURCES).not.toContain(p.sourceId);
      expect(p.entityRef).not.toBe(RESTRICTED);
      expect(RESTRICTED_TITLES).not.toContain(p.title);
      expect(p.text).not.toMatch(RESTRICTED_TEXT);
    }
    expect(outsider.answer).not.toMatch(RESTRICTED_TEXT);
    // Every citation points at one of the passages the outsider was given.
    for (const n of outsider.citations) {
      expect(outsider.passages.map(p => p.n)).toContain(n);
    }

    // Nor can the outsider open the sources behind the member's citations.
    for (const sourceId of RESTRICTED_SOURCES) {
      const url = `/api/rag-chat/sources/${encodeURIComponent(sourceId)}`;
      expect((await get(url, MEMBER)).status).toBe(200);
      expect((await get(url, OUTSIDER)).status).toBe(404);
    }
  });
});
