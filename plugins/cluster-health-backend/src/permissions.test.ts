/*
 * The plugin's read permission through the real permission framework: the permission
 * backend with a policy that denies cluster.health.read to one user, the plugin's
 * permissions service asking it over HTTP. No sandbox needed: the one cluster cannot be
 * reached, which still lists it (by name) for whoever may read cluster health.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ALLOWED_USER,
  DENIED_USER,
  startDenyingTestBackend,
} from '@internal/platform-node/testUtils';
import { clusterHealthReadPermission } from '@internal/plugin-cluster-health-common';
import request from 'supertest';
import { clusterHealthPlugin } from './plugin';

jest.setTimeout(60_000);

describe('cluster-health permissions', () => {
  let server: Awaited<ReturnType<typeof startDenyingTestBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startDenyingTestBackend({
      features: [
        clusterHealthPlugin,
        catalogServiceMock.factory({ entities: [] }),
      ],
      config: {
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                {
                  name: 'eks-unreachable',
                  url: 'https://127.0.0.1:1',
                  authProvider: 'serviceAccount',
                  serviceAccountToken: 'not-used',
                  skipTLSVerify: true,
                },
              ],
            },
          ],
        },
      },
      deny: { permission: clusterHealthReadPermission },
    }));
  });

  it('registers cluster.health.read with the permission framework', async () => {
    const res = await request(server).get(
      '/api/cluster-health/.well-known/backstage/permissions/metadata',
    );
    expect(res.status).toBe(200);
    expect(res.body.permissions).toContainEqual(
      expect.objectContaining({ name: 'cluster.health.read' }),
    );
  });

  it('answers 403 and no data to a user the policy denies', async () => {
    const allowed = await request(server)
      .get('/api/cluster-health/clusters')
      .set('Authorization', mockCredentials.user.header(ALLOWED_USER));
    expect(allowed.status).toBe(200);
    expect(allowed.body.map((c: { name: string }) => c.name)).toEqual([
      'eks-unreachable',
    ]);

    for (const path of [
      '/clusters',
      '/clusters/eks-unreachable/node-groups',
      '/clusters/eks-unreachable/daemonsets',
      '/clusters/eks-unreachable/events',
      '/problems',
      '/github-releases',
      '/entity?entityRef=component:default/webapp',
    ]) {
      const denied = await request(server)
        .get(`/api/cluster-health${path}`)
        .set('Authorization', mockCredentials.user.header(DENIED_USER));
      expect({ path, status: denied.status }).toEqual({ path, status: 403 });
      expect(denied.body.error.name).toBe('NotAllowedError');
      // Only the error: no cluster, node, problem or release.
      expect(Object.keys(denied.body).sort()).toEqual([
        'error',
        'request',
        'response',
      ]);
    }
  });
});
