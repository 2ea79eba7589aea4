/*
 * What the cache logs, with no sandbox: a configured cluster it does not read, and a cluster
 * whose API server refuses connections (port 1 on loopback: a real refused connection).
 * Messages are constant; what varies (cluster, key, reason, URL) is in the metadata.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { DefaultClusterCache } from './DefaultClusterCache';

type Line = { level: string; message: string; meta: Record<string, unknown> };

/** A logger that keeps every line, its children's with their metadata merged in. */
function recordingLogger(lines: Line[], base = {}): LoggerService {
  const log = (level: string) => (message: string, meta?: object | Error) =>
    lines.push({ level, message, meta: { ...base, ...meta } });
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: meta => recordingLogger(lines, { ...base, ...meta }),
  };
}

jest.setTimeout(30_000);

describe('DefaultClusterCache logging', () => {
  it('logs a cluster it does not read, and a resource it cannot list, with constant messages and the details as fields', async () => {
    const lines: Line[] = [];
    const cache = DefaultClusterCache.fromConfig(
      new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                {
                  name: 'refused',
                  url: 'https://127.0.0.1:1',
                  authProvider: 'serviceAccount',
                  serviceAccountToken: 'token',
                },
                {
                  name: 'gke-prod',
                  url: 'https://gke.internal.example',
                  authProvider: 'google',
                },
              ],
            },
          ],
        },
      }),
      recordingLogger(lines),
    );
    try {
      await cache.start();
    } finally {
      cache.stop();
    }

    const probe = (l: { message: string }) =>
      l.message.startsWith('control plane probe');
    expect(
      lines.filter(l => l.level === 'warn' && !l.meta.resource && !probe(l)),
    ).toEqual([
      {
        level: 'warn',
        message: 'cluster cache: not reading a configured cluster',
        meta: {
          cluster: 'gke-prod',
          locator: 'config',
          authProvider: 'google',
          configKey:
            'kubernetes.clusterLocatorMethods[0].clusters[1].authProvider',
          reason:
            "cluster 'gke-prod': authProvider 'google' is not supported here " +
            '(kubernetes.clusterLocatorMethods[0].clusters[1].authProvider): use serviceAccount or aws',
        },
      },
    ]);
    const nodes = lines.filter(l => l.meta.resource === 'nodes');
    expect(nodes).toEqual([
      {
        level: 'warn',
        message: 'cluster cache: resource not current',
        meta: expect.objectContaining({
          cluster: 'refused',
          resource: 'nodes',
          state: 'error',
          error: expect.stringContaining(
            'cannot reach the API server: ECONNREFUSED',
          ),
          url: 'https://127.0.0.1:1',
        }),
      },
    ]);
    // The control plane probe of the refused cluster, once, the URL as a field.
    expect(lines.filter(probe)).toEqual([
      {
        level: 'warn',
        message: 'control plane probe: the API server did not answer',
        meta: {
          cluster: 'refused',
          error: 'cannot reach the API server: ECONNREFUSED',
          url: 'https://127.0.0.1:1',
        },
      },
    ]);
    // The URL is in the log's fields only, never in the message users see.
    expect(nodes[0].meta.error).not.toContain('127.0.0.1');
    expect(lines.every(l => !/127\.0\.0\.1|https?:/.test(l.message))).toBe(
      true,
    );
  });
});
