/*
 * The decision cache in front of the real permission backend: a probe plugin asks
 * coreServices.permissions (as the platform plugins' createAuthorize does) in a test
 * backend whose policy the test sets per user and counts.
 */
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { createPermissionPolicyModule } from '@internal/platform-node';
import request from 'supertest';
import { permissionsWithDecisionCache } from './permissionDecisionCache';

jest.setTimeout(60_000);

const readPermission = createPermission({
  name: 'probe.read',
  attributes: { action: 'read' },
});
const entityPermission = createPermission({
  name: 'probe.entity.read',
  attributes: { action: 'read' },
  resourceType: 'probe-entity',
});

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';

/** What the policy answers per user (ALLOW unless set), and how often it was asked. */
const decisions = new Map<
  string,
  AuthorizeResult.ALLOW | AuthorizeResult.DENY
>();
let asked = 0;

const policyModule = createPermissionPolicyModule({
  moduleId: 'test-counting-policy',
  policy: {
    async handle(_req, caller) {
      asked += 1;
      return {
        result:
          decisions.get(caller?.info.userEntityRef ?? '') ??
          AuthorizeResult.ALLOW,
      };
    },
  },
});

const probePlugin = createBackendPlugin({
  pluginId: 'probe',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({ httpRouter, httpAuth, permissions, permissionsRegistry }) {
        permissionsRegistry.addPermissions([readPermission]);
        // GET /read: the basic permission; GET /entity: one about a resource.
        httpRouter.use((req, res, next) => {
          const query =
            req.path === '/entity'
              ? { permission: entityPermission, resourceRef: 'probe:one' }
              : { permission: readPermission };
          httpAuth
            .credentials(req)
            .then(credentials =>
              permissions.authorize([query], { credentials }),
            )
            .then(([decision]) => res.json(decision), next);
        });
      },
    });
  },
});

async function start(allowSeconds?: number) {
  return startTestBackend({
    features: [
      probePlugin,
      permissionBackend,
      policyModule,
      permissionsWithDecisionCache,
      mockServices.rootConfig.factory({
        data: {
          permission: {
            enabled: true,
            ...(allowSeconds === undefined
              ? {}
              : { decisionCache: { allowSeconds } }),
          },
        },
      }),
    ],
  });
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('permissionsWithDecisionCache', () => {
  let backend: Awaited<ReturnType<typeof start>> | undefined;

  beforeEach(() => {
    decisions.clear();
    asked = 0;
  });
  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  const read = (user: string, path = '/api/probe/read') =>
    request(backend!.server)
      .get(path)
      .set('Authorization', mockCredentials.user.header(user))
      .then(res => {
        expect(res.status).toBe(200);
        return res.body.result as AuthorizeResult;
      });

  it("keeps a user's ALLOW for allowSeconds, and only that user's", async () => {
    backend = await start(0.6);
    expect(await read(ALICE)).toBe(AuthorizeResult.ALLOW);
    expect(await read(ALICE)).toBe(AuthorizeResult.ALLOW);
    expect(asked).toBe(1);

    // Another user is asked about, not answered from Alice's decision.
    decisions.set(BOB, AuthorizeResult.DENY);
    expect(await read(BOB)).toBe(AuthorizeResult.DENY);
    expect(asked).toBe(2);

    // Taken away from Alice: her kept ALLOW answers until it runs out, then the policy.
    decisions.set(ALICE, AuthorizeResult.DENY);
    expect(await read(ALICE)).toBe(AuthorizeResult.ALLOW);
    expect(asked).toBe(2);
    await sleep(700);
    expect(await read(ALICE)).toBe(AuthorizeResult.DENY);
    expect(asked).toBe(3);
  });

  it('never keeps a DENY: a permission granted works at the next request', async () => {
    backend = await start(30);
    decisions.set(BOB, AuthorizeResult.DENY);
    expect(await read(BOB)).toBe(AuthorizeResult.DENY);
    expect(await read(BOB)).toBe(AuthorizeResult.DENY);
    expect(asked).toBe(2);
    decisions.delete(BOB);
    expect(await read(BOB)).toBe(AuthorizeResult.ALLOW);
    expect(asked).toBe(3);
  });

  it('asks every time about a resource, and with allowSeconds 0', async () => {
    backend = await start(30);
    await read(ALICE, '/api/probe/entity');
    await read(ALICE, '/api/probe/entity');
    expect(asked).toBe(2);
    await backend.stop();

    asked = 0;
    backend = await start(0);
    await read(ALICE);
    await read(ALICE);
    expect(asked).toBe(2);
  });

  it('keeps for 10 s by default', async () => {
    backend = await start();
    decisions.set(ALICE, AuthorizeResult.ALLOW);
    await read(ALICE);
    decisions.set(ALICE, AuthorizeResult.DENY);
    await sleep(700);
    expect(await read(ALICE)).toBe(AuthorizeResult.ALLOW);
    expect(asked).toBe(1);
  });

  it('refuses to start on a negative setting, naming the key', async () => {
    await expect(start(-1)).rejects.toThrow(
      /permission\.decisionCache\.allowSeconds must be a number of seconds, 0 or more.*got -1/,
    );
  });
});
