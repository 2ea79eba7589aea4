/*
 * Cluster health vs Backstage's kubernetes-backend, against a running portal backend that
 * reaches the sandbox's cluster (see README.md for how to start one).
 *
 *   yarn sucrase-node bench/cluster-health/run.ts [baseUrl] [entityName] [rounds]
 *
 * For one entity it times, one request at a time:
 * - GET  /api/cluster-health/clusters              (summary of every cluster)
 * - GET  /api/cluster-health/entity?entityRef=...  (the entity's workloads and problems)
 * - POST /api/kubernetes/services/:entity          (what the Kubernetes tab calls every 10 s)
 * then simulates 10 open pages of each for 60 s (one request per page every 10 s) and counts
 * the API server's requests in that minute (apiserver_request_total, WATCH excluded), and
 * prints the backend's RSS when BACKEND_PID is set.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { guestToken, percentile } from '../lib';

const baseUrl = process.argv[2] ?? 'http://localhost:7027';
const entityName = process.argv[3] ?? 'webapp';
const rounds = Number(process.argv[4] ?? 30);

/** Non-WATCH requests the API server has answered so far. */
function apiServerRequests(): number {
  const metrics = execFileSync(
    process.env.SANDBOX_KUBECTL!,
    [
      '--kubeconfig',
      process.env.SANDBOX_K8S_KUBECONFIG!,
      'get',
      '--raw',
      '/metrics',
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    if (/verb="WATCH"/.test(line)) continue;
    total += Number(line.split(' ').pop());
  }
  return total;
}

async function main() {
  const auth = { authorization: `Bearer ${await guestToken(baseUrl)}` };
  const entity = await (
    await fetch(
      `${baseUrl}/api/catalog/entities/by-name/component/default/${entityName}`,
      {
        headers: auth,
      },
    )
  ).json();
  const calls: Record<string, () => Promise<Response>> = {
    'cluster-health /clusters': () =>
      fetch(`${baseUrl}/api/cluster-health/clusters`, { headers: auth }),
    'cluster-health /entity': () =>
      fetch(
        `${baseUrl}/api/cluster-health/entity?entityRef=component:default/${entityName}`,
        { headers: auth },
      ),
    'kubernetes-backend /services/:entity': () =>
      fetch(`${baseUrl}/api/kubernetes/services/${entityName}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ entity }),
      }),
  };

  for (const [name, call] of Object.entries(calls)) {
    await (await call()).arrayBuffer(); // warm up
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const res = await call();
      const body = await res.arrayBuffer();
      times.push(performance.now() - t0);
      bytes = body.byteLength;
      if (!res.ok)
        throw new Error(
          `${name}: ${res.status} ${Buffer.from(body).toString()}`,
        );
    }
    console.log(
      `${name}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(
        times,
        95,
      ).toFixed(1)} ms, ${(bytes / 1024).toFixed(1)} KiB`,
    );
  }

  // 10 open pages for 60 s: each page calls once every 10 s.
  for (const name of [
    'cluster-health /entity',
    'kubernetes-backend /services/:entity',
  ]) {
    const before = apiServerRequests();
    const pages = Array.from({ length: 10 }, async (_, page) => {
      await new Promise(r => setTimeout(r, page * 1000));
      for (let tick = 0; tick < 6; tick++) {
        await (await calls[name]()).arrayBuffer();
        await new Promise(r => setTimeout(r, 10_000));
      }
    });
    await Promise.all(pages);
    // Our own /metrics read counts as one request.
    console.log(
      `${name}, 10 pages for 60 s: ${
        apiServerRequests() - before - 1
      } API server requests`,
    );
  }

  if (process.env.BACKEND_PID) {
    const status = readFileSync(
      `/proc/${process.env.BACKEND_PID}/status`,
      'utf8',
    );
    console.log(
      `backend RSS: ${Math.round(
        Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024,
      )} MiB`,
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
