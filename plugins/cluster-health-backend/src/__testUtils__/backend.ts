/*
 * The whole plugin in a test backend against the sandbox's real API servers
 * (`scripts/sandbox up k8s`, and `helix` for the second cluster), for the integration tests
 * of this package: the clusters as `kubernetes.clusterLocatorMethods` entries through the
 * portal's ServiceAccount tokens, a catalog mock with the test's entities, and `get` for the
 * plugin's routes.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { sandboxCluster, sandboxEnv } from '@internal/sandbox';
import request from 'supertest';
import { clusterHealthPlugin } from '../plugin';

export const env = sandboxEnv();
export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export { sandboxCluster };

/**
 * Starts the plugin in a test backend in a `beforeAll` of the calling test file (after the
 * file's own `beforeAll`s registered before this call); the backend stops after the file.
 * `clusters` is called then, so the sandbox's settings and kubeconfigs are read only when
 * the tests run.
 */
export function clusterHealthBackend(options: {
  clusters: () => ReturnType<typeof sandboxCluster>[];
  entities?: Entity[];
  /** `clusterHealth.controlPlane.intervalSeconds`; the plugin's default when unset. */
  controlPlaneIntervalSeconds?: number;
  /** More of `clusterHealth` (alertmanagers, logs), read when the backend starts. */
  clusterHealth?: () => Record<string, unknown>;
}) {
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    const { controlPlaneIntervalSeconds: intervalSeconds } = options;
    ({ server } = await startTestBackend({
      features: [
        clusterHealthPlugin,
        catalogServiceMock.factory({ entities: options.entities ?? [] }),
        mockServices.rootConfig.factory({
          data: {
            clusterHealth: {
              ...(intervalSeconds !== undefined && {
                controlPlane: { intervalSeconds },
              }),
              ...options.clusterHealth?.(),
            },
            kubernetes: {
              clusterLocatorMethods: [
                { type: 'config', clusters: options.clusters() },
              ],
            },
          },
        }),
      ],
    }));
  });

  /** A GET of the plugin's `path` (below /api/cluster-health), to assert its status. */
  const answer = (path: string) =>
    request(server).get(`/api/cluster-health${path}`);

  /** The body of a GET of `path`; throws unless it answers 200. */
  async function get<T>(path: string): Promise<T> {
    const res = await answer(path);
    if (res.status !== 200)
      throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  return { get, answer };
}
