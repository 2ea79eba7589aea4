/*
 * Load generator for the model server (`scripts/sandbox model load --rps R --seconds S`):
 * sends streamed chat completions with context passages at a steady rate (open
 * loop: a slow server does not slow the arrivals), then prints how many were
 * sent, answered and failed, the time to first token and end-to-end latency
 * percentiles, and the most requests seen waiting in the server's /metrics.
 *
 * Usage: node --no-warnings load.ts --rps R --seconds S [--url http://127.0.0.1:58080/v1]
 *          [--model platform-chat] [--max-tokens N]
 * Environment: SANDBOX_MODEL_URL (default for --url).
 */
import { parseArgs } from 'node:util';

// Short documents about the platform, numbered into the prompt as a RAG backend would.
const PASSAGES = [
  'The webapp-consumer group reads raw-events and inserts every record into PostgreSQL. It keeps up with the producer, so its lag stays near zero.',
  'The llm-ingestors consumer group enriches raw-events with a language model and writes 384-dimensional embeddings into PostgreSQL with pgvector. It reads more slowly than the producer writes, so its lag grows during bursts.',
  'KEDA scales a Kafka consumer Deployment on consumer lag through a ScaledObject. The lag threshold decides how many replicas run.',
  'The GPU node group runs the model servers. Each GPU node offers eight nvidia.com/gpu and carries the taint nvidia.com/gpu=true:NoSchedule, so only pods with the toleration land there.',
  'The model servers speak the OpenAI API and publish vLLM metrics such as time to first token, requests waiting and KV-cache usage. Prometheus scrapes them every few seconds.',
  'The GithubReleaseMonitor operator watches GithubRelease resources. When a new release appears it starts a producer Job that writes the release to the github-releases topic.',
  'Fluent Bit runs as a DaemonSet on every node and ships container logs. The DCGM exporter runs on GPU nodes and reports GPU utilisation, memory, power and XID errors.',
  'A consumer group whose committed offsets stop moving while the topic still receives messages is stalled. One with no members and no commits for a while is stopped.',
];

const QUESTIONS = [
  'Why does the lag of the llm-ingestors group grow?',
  'How are Kafka consumers scaled on lag?',
  'Which pods can run on the GPU nodes?',
  'What metrics do the model servers publish?',
  'What happens when a new GitHub release appears?',
  'When is a consumer group considered stalled?',
  'Where do the embeddings end up?',
];

function pick<T>(items: readonly T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}

function promptMessages() {
  const passages = pick(PASSAGES, 4)
    .map((text, i) => `[${i + 1}] ${text}`)
    .join('\n');
  return [
    {
      role: 'system',
      content: `Answer from the numbered passages only and cite them like [1].\n\n${passages}`,
    },
    { role: 'user', content: pick(QUESTIONS, 1)[0] },
  ];
}

interface Outcome {
  ok: boolean;
  error?: string;
  ttftMs?: number;
  e2eMs?: number;
  completionTokens?: number;
}

/** One streamed chat completion, timed from the moment it is sent. */
async function oneRequest(
  url: string,
  model: string,
  maxTokens?: number,
): Promise<Outcome> {
  const start = performance.now();
  try {
    const res = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model,
        messages: promptMessages(),
        stream: true,
        stream_options: { include_usage: true },
        ...(maxTokens ? { max_tokens: maxTokens } : {}),
      }),
    });
    if (!res.ok || !res.body) {
      return {
        ok: false,
        error: `HTTP ${res.status} ${(await res.text()).slice(0, 200)}`,
      };
    }
    let ttftMs: number | undefined;
    let completionTokens: number | undefined;
    let done = false;
    let buffer = '';
    const decoder = new TextDecoder();
    for await (const bytes of res.body) {
      buffer += decoder.decode(bytes, { stream: true });
      for (
        let end = buffer.indexOf('\n\n');
        end >= 0;
        end = buffer.indexOf('\n\n')
      ) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.replace(/^data: /, '');
        if (data === '[DONE]') {
          done = true;
          continue;
        }
        const chunk = JSON.parse(data);
        if (chunk.error) return { ok: false, error: chunk.error.message };
        if (ttftMs === undefined && chunk.choices?.[0]?.delta?.content) {
          ttftMs = performance.now() - start;
        }
        if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
      }
    }
    if (!done) return { ok: false, error: 'stream ended without [DONE]' };
    return {
      ok: true,
      ttftMs,
      e2eMs: performance.now() - start,
      completionTokens,
    };
  } catch (error) {
    return { ok: false, error: String((error as Error)?.message ?? error) };
  }
}

/** The largest `vllm:num_requests_waiting` for `model` in the server's metrics. */
async function waitingNow(
  url: string,
  model: string,
): Promise<number | undefined> {
  try {
    const text = await (
      await fetch(`${url.replace(/\/v1\/?$/, '')}/metrics`)
    ).text();
    const line = text
      .split('\n')
      .find(l =>
        l.startsWith(`vllm:num_requests_waiting{model_name="${model}"}`),
      );
    return line ? Number(line.split(' ').pop()) : undefined;
  } catch {
    return undefined;
  }
}

export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export interface LoadOptions {
  url: string;
  rps: number;
  seconds: number;
  model?: string;
  maxTokens?: number;
}

export interface LoadReport {
  sent: number;
  ok: number;
  failed: number;
  errors: string[];
  ttftP50Ms?: number;
  ttftP95Ms?: number;
  e2eP50Ms?: number;
  e2eP95Ms?: number;
  completionTokens: number;
  maxWaiting?: number;
  wallSeconds: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const model = options.model ?? 'platform-chat';
  const url = options.url.replace(/\/+$/, '');
  const total = Math.max(1, Math.round(options.rps * options.seconds));
  const start = performance.now();
  let maxWaiting: number | undefined;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const w = await waitingNow(url, model);
      if (w !== undefined) maxWaiting = Math.max(maxWaiting ?? 0, w);
      await new Promise(r => setTimeout(r, 250));
    }
  })();
  const requests: Promise<Outcome>[] = [];
  for (let i = 0; i < total; i++) {
    // Arrivals on a fixed schedule, whatever the answers take.
    const due = start + (i * 1000) / options.rps;
    const wait = due - performance.now();
    if (wait > 0) await new Promise(r => setTimeout(r, wait));
    requests.push(oneRequest(url, model, options.maxTokens));
  }
  const outcomes = await Promise.all(requests);
  sampling = false;
  await sampler;
  const ok = outcomes.filter(o => o.ok);
  const ttft = ok.flatMap(o => (o.ttftMs === undefined ? [] : [o.ttftMs]));
  const e2e = ok.map(o => o.e2eMs!);
  return {
    sent: outcomes.length,
    ok: ok.length,
    failed: outcomes.length - ok.length,
    errors: [
      ...new Set(outcomes.flatMap(o => (o.error ? [o.error] : []))),
    ].slice(0, 5),
    ttftP50Ms: percentile(ttft, 50),
    ttftP95Ms: percentile(ttft, 95),
    e2eP50Ms: percentile(e2e, 50),
    e2eP95Ms: percentile(e2e, 95),
    completionTokens: ok.reduce((sum, o) => sum + (o.completionTokens ?? 0), 0),
    maxWaiting,
    wallSeconds: (performance.now() - start) / 1000,
  };
}

const ms = (value?: number) =>
  value === undefined ? '-' : `${Math.round(value)} ms`;

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      rps: { type: 'string' },
      seconds: { type: 'string' },
      url: {
        type: 'string',
        default: process.env.SANDBOX_MODEL_URL ?? 'http://127.0.0.1:58080/v1',
      },
      model: { type: 'string', default: 'platform-chat' },
      'max-tokens': { type: 'string' },
    },
    strict: true,
  });
  const rps = Number(values.rps);
  const secs = Number(values.seconds);
  if (!(rps > 0) || !(secs > 0)) {
    throw new Error(
      'usage: load.ts --rps R --seconds S [--url URL] [--model M] [--max-tokens N]',
    );
  }
  const url = values.url!;
  process.stdout.write(
    `sending ${Math.round(
      rps * secs,
    )} streamed chat completions to ${url} at ${rps}/s for ${secs} s ...\n`,
  );
  return runLoad({
    url,
    rps,
    seconds: secs,
    model: values.model,
    maxTokens: values['max-tokens'] ? Number(values['max-tokens']) : undefined,
  }).then(r => {
    const lines = [
      `requests   sent ${r.sent}  ok ${r.ok}  failed ${
        r.failed
      }  (${r.wallSeconds.toFixed(1)} s)`,
      `TTFT       p50 ${ms(r.ttftP50Ms)}  p95 ${ms(r.ttftP95Ms)}`,
      `e2e        p50 ${ms(r.e2eP50Ms)}  p95 ${ms(r.e2eP95Ms)}`,
      `tokens     ${r.completionTokens} generated, ${(
        r.completionTokens / r.wallSeconds
      ).toFixed(1)} tokens/s`,
      `waiting    at most ${
        r.maxWaiting ?? '-'
      } requests (vllm:num_requests_waiting)`,
      ...r.errors.map(e => `error      ${e}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (r.failed > 0) process.exitCode = 1;
  });
}

// Run as a script (node load.ts), not when imported by a test.
if (process.argv[1]?.endsWith('load.ts')) {
  main().catch(error => {
    process.stderr.write(`load failed: ${error?.message ?? error}\n`);
    process.exit(1);
  });
}
