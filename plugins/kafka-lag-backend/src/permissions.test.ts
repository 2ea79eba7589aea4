/*
 * The plugin's read permission through the real permission framework: the permission
 * backend with a policy that denies kafka.lag.read to one user, the plugin's permissions
 * service asking it over HTTP. No sandbox needed: the one cluster is never sampled, which
 * still lists it (by name) for whoever may read consumer lag.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { kafkaLagReadPermission } from '@internal/plugin-kafka-lag-common';
import request from 'supertest';
import { kafkaLagPlugin } from './plugin';

jest.setTimeout(60_000);

const ALLOWED = 'user:default/alice';
const DENIED = 'user:default/bob';

/** Denies kafka.lag.read to DENIED, allows everything else. */
const denyingPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'deny-kafka-lag',
  register(env) {
    env.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(req, user) {
            const denied =
              isPermission(req.permission, kafkaLagReadPermission) &&
              user?.info.userEntityRef === DENIED;
            return {
              result: denied ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
            };
          },
        });
      },
    });
  },
});

describe('kafka-lag permissions', () => {
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        kafkaLagPlugin,
        permissionBackend,
        denyingPolicy,
        mockServices.rootConfig.factory({
          data: {
            // Without it the permissions service allows everything without asking.
            permission: { enabled: true },
            kafka: {
              clusters: [{ name: 'platform-kafka', brokers: ['127.0.0.1:1'] }],
            },
          },
        }),
      ],
    }));
  });

  it('registers kafka.lag.read with the permission framework', async () => {
    const res = await request(server).get(
      '/api/kafka-lag/.well-known/backstage/permissions/metadata',
    );
    expect(res.status).toBe(200);
    expect(res.body.permissions).toContainEqual(
      expect.objectContaining({ name: 'kafka.lag.read' }),
    );
  });

  it('answers 403 and no data to a user the policy denies', async () => {
    const allowed = await request(server)
      .get('/api/kafka-lag/clusters')
      .set('Authorization', mockCredentials.user.header(ALLOWED));
    expect(allowed.status).toBe(200);
    expect(allowed.body.map((c: { name: string }) => c.name)).toEqual([
      'platform-kafka',
    ]);

    for (const path of [
      '/clusters',
      '/groups?refs=platform-kafka/llm-ingestors',
      '/groups/platform-kafka/llm-ingestors',
    ]) {
      const denied = await request(server)
        .get(`/api/kafka-lag${path}`)
        .set('Authorization', mockCredentials.user.header(DENIED));
      expect({ path, status: denied.status }).toEqual({ path, status: 403 });
      expect(denied.body.error.name).toBe('NotAllowedError');
      // Only the error: no cluster, group or partition figures.
      expect(Object.keys(denied.body).sort()).toEqual([
        'error',
        'request',
        'response',
      ]);
    }
  });
});
