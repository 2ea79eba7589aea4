/*
 * GPU inference backend: the fleet view and a model server's view, against a running portal
 * backend that reaches the sandbox's cluster and Prometheus (see README.md).
 *
 *   yarn sucrase-node bench/gpu-inference/run.ts [baseUrl=http://localhost:7027] [rounds=30]
 *
 * Times, one request at a time, GET /api/gpu-inference/fleet and
 * GET /api/gpu-inference/entity?entityRef=component:default/llm-chat-server (range 1h), and
 * counts the PromQL queries each view costs where they land: Prometheus's own
 * prometheus_http_requests_total for /api/v1/query and /api/v1/query_range, before and after.
 */
import { guestToken, percentile } from '../lib';

const baseUrl = process.argv[2] ?? 'http://localhost:7027';
const rounds = Number(process.argv[3] ?? 30);
const prometheusUrl =
  process.env.SANDBOX_PROMETHEUS_URL ?? 'http://127.0.0.1:59090';

/** Instant and range queries Prometheus has answered so far. */
async function prometheusQueries(): Promise<number> {
  const text = await (await fetch(`${prometheusUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (
      line.startsWith('prometheus_http_requests_total{') &&
      /handler="\/api\/v1\/query(_range)?"/.test(line)
    ) {
      total += Number(line.split(' ').pop());
    }
  }
  return total;
}

async function main() {
  const auth = { authorization: `Bearer ${await guestToken(baseUrl)}` };
  const views: Record<string, string> = {
    'GET /fleet': `${baseUrl}/api/gpu-inference/fleet`,
    'GET /entity (llm-chat-server, 1 h)': `${baseUrl}/api/gpu-inference/entity?entityRef=component:default/llm-chat-server&range=1h`,
  };
  const fleet = await (
    await fetch(views['GET /fleet'], { headers: auth })
  ).json();
  const gpus = fleet.capacity.reduce(
    (s: number, c: any) => s + c.allocatable,
    0,
  );
  console.log(
    `fleet: ${fleet.capacity.length} node groups, ${gpus} GPUs allocatable, ${fleet.gpus.length} GPUs reporting to Prometheus (${fleet.prometheus.status}), ${fleet.waste.length} wasted`,
  );
  console.log('\n| view | p50 | p95 | response | PromQL queries per view |');
  console.log('| ---- | --- | --- | -------- | ----------------------- |');
  for (const [label, url] of Object.entries(views)) {
    await fetch(url, { headers: auth }); // warm
    const before = await prometheusQueries();
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      const res = await fetch(url, { headers: auth });
      const body = await res.text();
      times.push(performance.now() - started);
      if (!res.ok) throw new Error(`${label}: ${res.status} ${body}`);
      bytes = body.length;
    }
    const perView = ((await prometheusQueries()) - before) / rounds;
    console.log(
      `| ${label} | ${percentile(times, 50).toFixed(1)} ms | ${percentile(
        times,
        95,
      ).toFixed(1)} ms | ${(bytes / 1024).toFixed(1)} KiB | ${perView.toFixed(
        1,
      )} |`,
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
