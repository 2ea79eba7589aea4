/*
 * Bytes per cached pod: the cluster cache (every informer plus its index) built from the
 * sandbox's real API server, heap after gc with the cache filled minus before it.
 *
 *   scripts/sandbox up k8s && eval "$(scripts/sandbox env)"
 *   node --expose-gc -r sucrase/register bench/cluster-health/memory.ts
 *
 * The portal's own identity (SANDBOX_K8S_PORTAL_KUBECONFIG's token) reads the `k8s`
 * cluster, as the backend does. Prints the objects cached, heap and RSS before and after,
 * and the difference per pod (everything the cache holds, nodes and workloads included,
 * divided by the pods).
 */
import { readFileSync } from 'node:fs';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { DefaultClusterCache } from '@internal/plugin-cluster-health-node';
import { KubeConfig } from '@kubernetes/client-node';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const MiB = 2 ** 20;

function settle() {
  for (let i = 0; i < 4; i++) gc!();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

const quiet: LoggerService = {
  error: () => {},
  warn: (m, meta) => console.warn(m, meta),
  info: () => {},
  debug: () => {},
  child: () => quiet,
};

async function main() {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(process.env.SANDBOX_K8S_PORTAL_KUBECONFIG!);
  const config = new ConfigReader({
    kubernetes: {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'eks',
              url: process.env.SANDBOX_K8S_URL,
              authProvider: 'serviceAccount',
              serviceAccountToken: kubeconfig.getCurrentUser()!.token,
              caData: readFileSync(process.env.SANDBOX_K8S_CA!).toString(
                'base64',
              ),
            },
          ],
        },
      ],
    },
  });
  const cache = DefaultClusterCache.fromConfig(config, quiet);
  const empty = settle();
  const t0 = performance.now();
  await cache.start();
  const listed = performance.now() - t0;
  const cluster = cache.cluster('eks')!;
  // The index is built on its first read, as on the first request.
  cluster.index!().withId('webapp');
  // Let the first watch events and the control-plane probe settle.
  await new Promise(r => setTimeout(r, 3000));
  const filled = settle();
  const counts = Object.fromEntries(
    cluster.freshness().map(f => [f.resource, f.count]),
  );
  const pods = counts.pods;
  console.log(
    `cached: ${JSON.stringify(counts)} (listed in ${listed.toFixed(0)} ms)`,
  );
  console.log(
    `heap: ${(empty.heapUsed / MiB).toFixed(1)} MiB empty, ${(
      filled.heapUsed / MiB
    ).toFixed(1)} MiB filled; RSS ${(empty.rss / MiB).toFixed(0)} -> ${(
      filled.rss / MiB
    ).toFixed(0)} MiB`,
  );
  console.log(
    `bytes per cached pod: ${(
      (filled.heapUsed - empty.heapUsed) /
      pods
    ).toFixed(0)} (the whole cache's heap over ${pods} pods)`,
  );
  cache.stop();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
