/*
 * Integration tests of the sandbox's metrics (`scripts/sandbox up k8s model metrics`): the
 * real Prometheus scraping the GPU exporter and the model server, the exporter reading the
 * real API server and following the model server's real load.
 */
import { sandboxEnv } from './env';
import { runLoad } from './model/load';

jest.setTimeout(180_000);

const env = sandboxEnv();
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

type Series = { metric: Record<string, string>; value: [number, string] };

async function query(promql: string): Promise<Series[]> {
  const res = await fetch(
    `${env.prometheusUrl}/api/v1/query?${new URLSearchParams({
      query: promql,
    })}`,
  );
  const body = await res.json();
  if (body.status !== 'success')
    throw new Error(`${promql}: ${JSON.stringify(body)}`);
  return body.data.result;
}

/** Polls a query until `ok` holds (bounded), returning the last result. */
async function until(
  promql: string,
  ok: (s: Series[]) => boolean,
  what: string,
) {
  let last: Series[] = [];
  for (let i = 0; i < 60; i++) {
    last = await query(promql);
    if (ok(last)) return last;
    await sleep(1000);
  }
  throw new Error(
    `${what}: not seen in Prometheus within 60 s (${promql} → ${JSON.stringify(
      last,
    )})`,
  );
}

it('has DCGM series for exactly the 9 GPUs of the cluster, with the pods that hold them', async () => {
  const util = await until(
    'DCGM_FI_DEV_GPU_UTIL',
    s => s.length === 9,
    '9 GPUs',
  );
  const byNode = util.reduce<Record<string, number>>((n, s) => {
    n[s.metric.Hostname] = (n[s.metric.Hostname] ?? 0) + 1;
    return n;
  }, {});
  expect(byNode).toEqual({
    'ip-10-0-4-112.eu-west-1.compute.internal': 1,
    'ip-10-0-5-9.eu-west-1.compute.internal': 8,
  });
  for (const s of util) {
    expect(s.metric).toMatchObject({ job: 'dcgm-exporter', namespace: 'ml' });
    expect(s.metric.UUID).toMatch(/^GPU-/);
    expect(s.metric.pod).toMatch(/^(llm-chat-server|embedding-server)-/);
  }
  expect(new Set(util.map(s => s.metric.modelName))).toEqual(
    new Set(['NVIDIA A10G', 'NVIDIA A100-SXM4-40GB']),
  );
  const xid = await query('DCGM_FI_DEV_XID_ERRORS > 0');
  expect(xid.map(s => `${s.metric.Hostname}/${s.metric.gpu}`)).toEqual([
    'ip-10-0-5-9.eu-west-1.compute.internal/7',
  ]);
});

it("keeps the second chat replica's GPUs idle and moves the first's with the model server's load", async () => {
  const pods = (await query('DCGM_FI_DEV_GPU_UTIL{pod=~"llm-chat-server-.*"}'))
    .map(s => s.metric.pod)
    .filter((p, i, all) => all.indexOf(p) === i)
    .sort();
  expect(pods).toHaveLength(2);
  const [busy, idle] = pods;

  const load = runLoad({ url: env.modelUrl, rps: 12, seconds: 15 });
  await until(
    `min(DCGM_FI_DEV_GPU_UTIL{pod="${busy}"})`,
    s => Number(s[0]?.value[1]) > 40,
    `the busy replica's GPUs under load`,
  );
  await until(
    'max_over_time(vllm:num_requests_running{job="model-server",model_name="llama-3.1-8b-instruct"}[1m])',
    s => Number(s[0]?.value[1]) > 0,
    'running requests of the chat model',
  );
  const report = await load;
  expect(report.ok).toBeGreaterThan(0);
  const idleUtil = await query(
    `max_over_time(DCGM_FI_DEV_GPU_UTIL{pod="${idle}"}[2m])`,
  );
  for (const s of idleUtil) expect(Number(s.value[1])).toBeLessThan(5);
});
