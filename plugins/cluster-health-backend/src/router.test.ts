/*
 * What the cluster overview says about clusters the portal cannot read, with no sandbox:
 * clusters it does not support (by name, with the config key to change) and a cluster whose
 * API server does not answer (port 1 on loopback: a real refused connection). No response
 * may carry a cluster's URL.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ClusterSummary } from '@internal/plugin-cluster-health-common';
import request from 'supertest';
import { clusterHealthPlugin } from './plugin';

jest.setTimeout(60_000);

const SECRET_URL = 'https://127.0.0.1:1';

let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

beforeAll(async () => {
  ({ server } = await startTestBackend({
    features: [
      clusterHealthPlugin,
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'unreachable',
                    url: SECRET_URL,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: 'token',
                  },
                  {
                    name: 'gke-prod',
                    url: 'https://gke.internal.example',
                    authProvider: 'google',
                  },
                  {
                    name: 'no-provider',
                    url: 'https://other.internal.example',
                    serviceAccountToken: 'token',
                  },
                ],
              },
              { type: 'catalog' },
            ],
          },
        },
      }),
    ],
  }));
});

async function overview(): Promise<ClusterSummary[]> {
  for (let i = 0; i < 60; i++) {
    const res = await request(server).get('/api/cluster-health/clusters');
    expect(res.status).toBe(200);
    const list: ClusterSummary[] = res.body;
    if (list.length > 0 && list.every(c => c.status !== 'starting'))
      return list;
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error('the cluster cache did not settle within 15 s');
}

describe('GET /clusters', () => {
  it('lists unsupported clusters and locators by name, with the reason and the config key', async () => {
    const byName = Object.fromEntries((await overview()).map(c => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual([
      'gke-prod',
      'kubernetes.clusterLocatorMethods[1]',
      'no-provider',
      'unreachable',
    ]);

    expect(byName['gke-prod']).toMatchObject({
      status: 'down',
      resources: [],
      unsupported: {
        name: 'gke-prod',
        locator: 'config',
        authProvider: 'google',
        configKey:
          'kubernetes.clusterLocatorMethods[0].clusters[1].authProvider',
      },
    });
    expect(byName['gke-prod'].message).toBe(
      "cluster 'gke-prod': authProvider 'google' is not supported here " +
        '(kubernetes.clusterLocatorMethods[0].clusters[1].authProvider): use serviceAccount or aws',
    );
    expect(byName['no-provider'].message).toContain(
      'has no authProvider (Backstage requires one)',
    );
    expect(byName['kubernetes.clusterLocatorMethods[1]']).toMatchObject({
      title: 'catalog cluster locator',
      status: 'down',
      unsupported: { locator: 'catalog' },
    });
    expect(byName.unreachable.unsupported).toBeUndefined();
  });

  it('names no cluster URL: an unreachable API server is reported by cluster name and what to check', async () => {
    const list = await overview();
    const down = list.find(c => c.name === 'unreachable')!;
    expect(down.status).toBe('down');
    expect(down.message).toContain('cannot reach the API server: ECONNREFUSED');
    expect(down.message).toContain('kubernetes.clusterLocatorMethods');
    expect(down).not.toHaveProperty('url');

    const body = JSON.stringify(list);
    expect(body).not.toContain('127.0.0.1');
    expect(body).not.toContain('internal.example');
    expect(body).not.toMatch(/https?:\/\//);
  });

  it("answers an unsupported cluster's pages with 404 and the reason", async () => {
    const res = await request(server).get(
      '/api/cluster-health/clusters/gke-prod/node-groups',
    );
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain(
      "authProvider 'google' is not supported here",
    );
    expect(res.body.error.message).not.toContain('gke.internal.example');
  });
});
