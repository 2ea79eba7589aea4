/*
 * The authorizer through the real permission framework: a probe plugin whose routes use
 * createAuthorize, in a test backend (startDenyingTestBackend) whose permission backend
 * denies probe.secret.read to DENIED_USER.
 */
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { createPermission } from '@backstage/plugin-permission-common';
import Router from 'express-promise-router';
import request from 'supertest';
import { createAuthorize } from './authorize';
import {
  ALLOWED_USER,
  DENIED_USER,
  startDenyingTestBackend,
} from './testUtils';

jest.setTimeout(60_000);

const readPermission = createPermission({
  name: 'probe.secret.read',
  attributes: { action: 'read' },
});
const otherPermission = createPermission({
  name: 'probe.other.read',
  attributes: { action: 'read' },
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
        permissionsRegistry.addPermissions([readPermission, otherPermission]);
        const authorize = createAuthorize({
          httpAuth,
          permissions,
          permission: readPermission,
          notAllowedMessage: 'Not allowed to read the probe',
        });
        const authorizeUser = createAuthorize({
          httpAuth,
          permissions,
          permission: readPermission,
          allow: ['user'],
        });
        const router = Router();
        router.get('/read', async (req, res) => {
          const credentials = await authorize(req);
          res.json({ principal: credentials.principal });
        });
        router.get('/other', async (req, res) => {
          await authorize(req, otherPermission);
          res.json({ ok: true });
        });
        router.get('/split', async (req, res) => {
          const credentials = await authorize.credentials(req);
          const decided = authorize.check(credentials);
          decided.catch(() => undefined);
          const work = Promise.resolve('done beside the decision');
          const [result] = await Promise.all([work, decided]);
          res.json({ principal: credentials.principal, result });
        });
        router.get('/user', async (req, res) => {
          const credentials = await authorizeUser(req);
          // Typed as a user principal: userEntityRef needs no cast.
          res.json({ user: credentials.principal.userEntityRef });
        });
        httpRouter.use(router);
      },
    });
  },
});

describe('createAuthorize', () => {
  let server: Awaited<ReturnType<typeof startDenyingTestBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startDenyingTestBackend({
      features: [probePlugin],
      deny: { permission: readPermission },
    }));
  });

  const as = (user: string) => ({
    Authorization: mockCredentials.user.header(user),
  });

  it("returns the caller's credentials when the policy allows", async () => {
    const res = await request(server)
      .get('/api/probe/read')
      .set(as(ALLOWED_USER));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      principal: { type: 'user', userEntityRef: ALLOWED_USER },
    });
  });

  it('answers 403 with the configured message and nothing else when it denies', async () => {
    const res = await request(server)
      .get('/api/probe/read')
      .set(as(DENIED_USER));
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      name: 'NotAllowedError',
      message: 'Not allowed to read the probe',
    });
    expect(Object.keys(res.body).sort()).toEqual([
      'error',
      'request',
      'response',
    ]);
  });

  it('checks the permission a route names instead of the default', async () => {
    // The policy denies only probe.secret.read: the denied user may read the other one.
    const res = await request(server)
      .get('/api/probe/other')
      .set(as(DENIED_USER));
    expect(res.status).toBe(200);
  });

  it('splits into credentials and a decision for them, which denies as the whole does', async () => {
    const allowed = await request(server)
      .get('/api/probe/split')
      .set(as(ALLOWED_USER));
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({
      principal: { type: 'user', userEntityRef: ALLOWED_USER },
      result: 'done beside the decision',
    });
    const denied = await request(server)
      .get('/api/probe/split')
      .set(as(DENIED_USER));
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe('Not allowed to read the probe');
    expect(denied.body.result).toBeUndefined();
  });

  it('defaults the message to the permission name', async () => {
    const denied = await request(server)
      .get('/api/probe/user')
      .set(as(DENIED_USER));
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe('Not allowed: probe.secret.read');
    const allowed = await request(server)
      .get('/api/probe/user')
      .set(as(ALLOWED_USER));
    expect(allowed.body).toEqual({ user: ALLOWED_USER });
  });

  it('refuses principals outside allow before asking the policy', async () => {
    const res = await request(server)
      .get('/api/probe/user')
      .set('Authorization', mockCredentials.service.header());
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    expect(res.body.error.message).not.toMatch(/probe\.secret\.read/);
    // Without allow, a service may read: the policy only denies DENIED_USER.
    const service = await request(server)
      .get('/api/probe/read')
      .set('Authorization', mockCredentials.service.header());
    expect(service.status).toBe(200);
  });

  it('registers what the plugin declares, so the policy can see it', async () => {
    const res = await request(server).get(
      '/api/probe/.well-known/backstage/permissions/metadata',
    );
    expect(res.body.permissions.map((p: { name: string }) => p.name)).toEqual([
      'probe.secret.read',
      'probe.other.read',
    ]);
  });
});
