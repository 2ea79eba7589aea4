/*
 * Tests of the sandbox's model server against the real server: real
 * all-MiniLM-L6-v2 embeddings, streamed chat completions composed from the
 * prompt's passages, vLLM metrics from the requests served. The server is the
 * sandbox's (SANDBOX_MODEL_URL, from `eval "$(scripts/sandbox env)"`) when it
 * answers, else one started here on a free port from the model files that
 * `scripts/sandbox model fetch` (or `up model`) puts in the cache. No timing is
 * asserted: only what the server reports.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  NO_PASSAGES_ANSWER,
  composeAnswer,
  sentencesOf,
  lexicalScorer,
  parsePrompt,
  toTokens,
} from './model/chat.ts';
import { Histogram, Registry } from './model/metrics.ts';
import { Scheduler } from './model/scheduler.ts';

jest.setTimeout(120_000);

const PASSAGES = [
  'The llm-ingestors consumer group enriches raw-events with a language model and writes embeddings into PostgreSQL. It reads more slowly than the producer writes, so its lag grows during bursts.',
  'The GPU node group runs the model servers. Each GPU node carries the taint nvidia.com/gpu=true:NoSchedule, so only pods with the toleration land there.',
  'Fluent Bit runs as a DaemonSet on every node and ships container logs to the log store.',
];
const QUESTION = 'Why does the lag of the llm-ingestors consumer group grow?';

function ragMessages(question = QUESTION) {
  return [
    {
      role: 'system',
      content: `Answer from the numbered passages and cite them like [1].\n\n${PASSAGES.map(
        (p, i) => `[${i + 1}] ${p}`,
      ).join('\n')}`,
    },
    { role: 'user', content: question },
  ];
}

function modelDir() {
  if (process.env.MODEL_DIR) return process.env.MODEL_DIR;
  const cache =
    process.env.PORTAL_CACHE ??
    join(
      process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
      'platform-portal',
    );
  return join(cache, 'models', 'all-MiniLM-L6-v2');
}

let baseUrl: string; // http://host:port/v1
let server: ChildProcess | undefined;
let serverLog = '';

/** Starts server.ts on a free port; resolves with its /v1 URL once it listens. */
function startServer(): Promise<string> {
  const dir = modelDir();
  if (!existsSync(join(dir, 'model.onnx'))) {
    throw new Error(
      `no model files in ${dir}: fetch them with "scripts/sandbox model fetch", ` +
        'or run against a started server (scripts/sandbox up model; eval "$(scripts/sandbox env)")',
    );
  }
  const child = spawn(
    process.execPath,
    [
      '--no-warnings',
      join(__dirname, 'model', 'server.ts'),
      '--port',
      '0',
      '--model-dir',
      dir,
      '--max-num-seqs',
      '2',
      '--token-ms',
      '15',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server = child;
  return new Promise((resolve, reject) => {
    const onData = (data: Buffer) => {
      serverLog += data.toString();
      const m = /listening on (http:\/\/\S+)/.exec(serverLog);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', code =>
      reject(
        new Error(
          `model server exited (${code}) before listening:\n${serverLog}`,
        ),
      ),
    );
  });
}

/** Whether a model server answers at `url` (the sandbox's may not be started). */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/models`, {
      signal: AbortSignal.timeout(3000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  const sandbox = process.env.SANDBOX_MODEL_URL?.replace(/\/+$/, '');
  baseUrl = sandbox && (await answers(sandbox)) ? sandbox : await startServer();
});

afterAll(() => {
  server?.kill('SIGTERM');
});

const post = (path: string, body: unknown) =>
  fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** Every SSE `data:` payload of a response, in order ("[DONE]" as a string). */
async function readEvents(res: Response): Promise<any[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter(e => e.startsWith('data: '))
    .map(e => e.slice('data: '.length))
    .map(d => (d === '[DONE]' ? d : JSON.parse(d)));
}

/** Reads /metrics; the returned function gives one sample's value. */
async function metrics() {
  const text = await (
    await fetch(`${baseUrl.replace(/\/v1$/, '')}/metrics`)
  ).text();
  const samples = text
    .split('\n')
    .filter(l => l && !l.startsWith('#'))
    .map(l => {
      const m = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(l)!;
      const labels = Object.fromEntries(
        [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [
          k,
          v,
        ]),
      );
      return { name: m[1], labels, value: Number(m[3]) };
    });
  return (
    name: string,
    labels: Record<string, string> = { model_name: 'platform-chat' },
  ) => {
    const sample = samples.find(
      x =>
        x.name === name &&
        Object.entries(labels).every(([k, v]) => x.labels[k] === v),
    );
    if (!sample)
      throw new Error(
        `no sample ${name} ${JSON.stringify(labels)} in /metrics`,
      );
    return sample.value;
  };
}

const cosine = (a: number[], b: number[]) =>
  a.reduce((sum, x, i) => sum + x * b[i], 0);

describe('model server', () => {
  it('lists the embedding and the chat model', async () => {
    const res = await fetch(`${baseUrl}/models`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.object).toBe('list');
    expect(body.data.map((m: { id: string }) => m.id).sort()).toEqual([
      'all-MiniLM-L6-v2',
      'platform-chat',
    ]);
  });

  it('returns real all-MiniLM-L6-v2 embeddings: 384 dimensions, unit length, paraphrases close', async () => {
    const res = await post('/embeddings', {
      model: 'all-MiniLM-L6-v2',
      input: [
        'How can I see how far behind a Kafka consumer group is?',
        'Where do I check the lag of a Kafka consumer group?',
        'The cat slept on the warm windowsill all afternoon.',
      ],
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.model).toBe('all-MiniLM-L6-v2');
    expect(body.usage.prompt_tokens).toBeGreaterThan(10);
    const vectors: number[][] = body.data.map(
      (d: { embedding: number[] }) => d.embedding,
    );
    expect(body.data.map((d: { index: number }) => d.index)).toEqual([0, 1, 2]);
    for (const v of vectors) {
      expect(v).toHaveLength(384);
      expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    }
    const paraphrase = cosine(vectors[0], vectors[1]);
    const unrelated = cosine(vectors[0], vectors[2]);
    expect(paraphrase).toBeGreaterThan(0.6);
    expect(unrelated).toBeLessThan(0.3);

    // The same vector as base64 (what the openai npm client asks for by default).
    const b64 = await (
      await post('/embeddings', {
        input: 'Where do I check the lag of a Kafka consumer group?',
        encoding_format: 'base64',
      })
    ).json();
    const bytes = Buffer.from(b64.data[0].embedding, 'base64');
    const decoded = Array.from(
      new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4),
    );
    expect(decoded).toHaveLength(384);
    expect(cosine(decoded, vectors[1])).toBeCloseTo(1, 4);
  });

  it('streams an answer token by token, then finish, usage and [DONE]', async () => {
    const res = await post('/chat/completions', {
      model: 'platform-chat',
      messages: ragMessages(),
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(res);
    expect(events[events.length - 1]).toBe('[DONE]');
    const chunks = events.slice(0, -1);
    for (const c of chunks) expect(c.object).toBe('chat.completion.chunk');
    expect(chunks[0].choices[0].delta.role).toBe('assistant');

    const content = chunks.filter(c => c.choices[0]?.delta?.content);
    expect(content.length).toBeGreaterThan(5);
    const finish = chunks.findIndex(
      c => c.choices[0]?.finish_reason === 'stop',
    );
    expect(finish).toBeGreaterThan(chunks.indexOf(content[content.length - 1]));
    const usage = chunks[chunks.length - 1];
    expect(usage.choices).toEqual([]);
    expect(usage.usage.completion_tokens).toBe(content.length);
    expect(usage.usage.prompt_tokens).toBeGreaterThan(50);
    expect(usage.usage.total_tokens).toBe(
      usage.usage.prompt_tokens + content.length,
    );

    const answer = content.map(c => c.choices[0].delta.content).join('');
    expect(answer).toContain('lag grows during bursts [1]');
    expect(answer).not.toContain('[3]');
  });

  it('answers without streaming, cites passages, and says when it has none', async () => {
    const res = await post('/chat/completions', {
      messages: ragMessages('Which pods can run on the GPU nodes?'),
    });
    const body = await res.json();
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.choices[0].message.content).toMatch(
      /toleration land there \[2\]/,
    );

    const none = await (
      await post('/chat/completions', {
        messages: [{ role: 'user', content: 'How do I deploy?' }],
      })
    ).json();
    expect(none.choices[0].message.content).toBe(NO_PASSAGES_ANSWER);

    const cut = await (
      await post('/chat/completions', {
        messages: ragMessages(),
        max_tokens: 3,
      })
    ).json();
    expect(cut.choices[0].finish_reason).toBe('length');
    expect(cut.usage.completion_tokens).toBe(3);
  });

  it('rejects bad input with 400 and an OpenAI error object', async () => {
    const cases: Array<[string, unknown, string]> = [
      [
        '/chat/completions',
        { model: 'platform-chat' },
        'missing_required_parameter',
      ],
      ['/chat/completions', { messages: [] }, 'invalid_value'],
      [
        '/chat/completions',
        { model: 'gpt-4o', messages: ragMessages() },
        'model_not_found',
      ],
      [
        '/chat/completions',
        { model: 'all-MiniLM-L6-v2', messages: ragMessages() },
        'model_not_supported',
      ],
      ['/chat/completions', '{"messages": [', 'invalid_json'],
      [
        '/chat/completions',
        { messages: [{ role: 'user', content: 'lag '.repeat(9000) }] },
        'context_length_exceeded',
      ],
      ['/embeddings', {}, 'missing_required_parameter'],
      ['/embeddings', { input: '' }, 'invalid_value'],
      ['/embeddings', { input: [1, 2, 3] }, 'invalid_value'],
      ['/embeddings', { input: Array(2049).fill('x') }, 'input_too_large'],
      [
        '/embeddings',
        { input: 'lag '.repeat(9000) },
        'context_length_exceeded',
      ],
      ['/embeddings', { input: 'x', dimensions: 512 }, 'invalid_value'],
      [
        '/embeddings',
        { model: 'text-embedding-3-small', input: 'x' },
        'model_not_found',
      ],
    ];
    for (const [path, body, code] of cases) {
      const res = await post(path, body);
      const text = await res.text();
      expect([path, code, res.status]).toEqual([path, code, 400]);
      const error = JSON.parse(text).error;
      expect(error).toMatchObject({ type: 'invalid_request_error', code });
      expect(typeof error.message).toBe('string');
      expect(text).not.toMatch(/\.ts:\d+|node:internal|at .*\(/);
    }
  });

  it('counts the tokens it served', async () => {
    const before = await metrics();
    const body = await (
      await post('/chat/completions', { messages: ragMessages() })
    ).json();
    const after = await metrics();
    const delta = (name: string, labels?: Record<string, string>) =>
      after(name, labels) - before(name, labels);
    expect(delta('vllm:prompt_tokens_total')).toBeGreaterThanOrEqual(
      body.usage.prompt_tokens,
    );
    expect(delta('vllm:generation_tokens_total')).toBeGreaterThanOrEqual(
      body.usage.completion_tokens,
    );
    expect(
      delta('vllm:e2e_request_latency_seconds_count'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      delta('vllm:request_success_total', {
        model_name: 'platform-chat',
        finished_reason: 'stop',
      }),
    ).toBeGreaterThanOrEqual(1);

    const embedded = await (
      await post('/embeddings', { input: ['one sentence here', 'and another'] })
    ).json();
    const later = await metrics();
    expect(
      later('vllm:prompt_tokens_total', { model_name: 'all-MiniLM-L6-v2' }) -
        after('vllm:prompt_tokens_total', { model_name: 'all-MiniLM-L6-v2' }),
    ).toBeGreaterThanOrEqual(embedded.usage.prompt_tokens);
  });

  it('queues requests beyond its running sequences and reports them waiting', async () => {
    const before = await metrics();
    let pending = 12;
    const requests = Array.from({ length: pending }, () =>
      post('/chat/completions', {
        messages: ragMessages(),
        stream: true,
        stream_options: { include_usage: true },
      })
        .then(readEvents)
        .finally(() => pending--),
    );
    let maxWaiting = 0;
    let maxRunning = 0;
    while (pending > 0) {
      const m = await metrics();
      maxWaiting = Math.max(maxWaiting, m('vllm:num_requests_waiting'));
      maxRunning = Math.max(maxRunning, m('vllm:num_requests_running'));
      await new Promise(r => setTimeout(r, 50));
    }
    const results = await Promise.all(requests);
    for (const events of results)
      expect(events[events.length - 1]).toBe('[DONE]');
    expect(maxWaiting).toBeGreaterThan(0);
    expect(maxRunning).toBeGreaterThan(0);

    const after = await metrics();
    const delta = (name: string) => after(name) - before(name);
    expect(
      delta('vllm:request_queue_time_seconds_count'),
    ).toBeGreaterThanOrEqual(12);
    expect(delta('vllm:request_queue_time_seconds_sum')).toBeGreaterThan(0);
    expect(
      delta('vllm:time_to_first_token_seconds_count'),
    ).toBeGreaterThanOrEqual(12);
    expect(delta('vllm:inter_token_latency_seconds_count')).toBeGreaterThan(12);
  });

  it('frees the slots of clients that went away', async () => {
    const controllers = Array.from({ length: 6 }, () => new AbortController());
    const firstBytes = controllers.map(async c => {
      const res = await fetch(`${baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: ragMessages(), stream: true }),
        signal: c.signal,
      });
      return res;
    });
    // Headers come back at once; then everyone hangs up, running or waiting.
    await Promise.all(firstBytes);
    controllers.forEach(c => c.abort());
    let m = await metrics();
    for (
      let i = 0;
      i < 100 &&
      m('vllm:num_requests_running') + m('vllm:num_requests_waiting') > 0;
      i++
    ) {
      await new Promise(r => setTimeout(r, 100));
      m = await metrics();
    }
    expect(m('vllm:num_requests_running')).toBe(0);
    expect(m('vllm:num_requests_waiting')).toBe(0);
    expect(
      m('vllm:request_success_total', {
        model_name: 'platform-chat',
        finished_reason: 'abort',
      }),
    ).toBeGreaterThan(0);

    const after = await (
      await post('/chat/completions', { messages: ragMessages() })
    ).json();
    expect(after.choices[0].finish_reason).toBe('stop');
  });
});

describe('answer composition', () => {
  it('finds passages and the question in the usual prompt shapes', () => {
    expect(
      parsePrompt([
        {
          role: 'system',
          content:
            'Use the sources.\n[1] Alpha one.\nmore alpha\n[2] Beta two.',
        },
        { role: 'user', content: 'What is alpha?' },
      ]),
    ).toEqual({
      passages: [
        { n: 1, text: 'Alpha one.\nmore alpha' },
        { n: 2, text: 'Beta two.' },
      ],
      question: 'What is alpha?',
    });
    expect(
      parsePrompt([
        {
          role: 'user',
          content:
            'Passage 1: Alpha one.\nPassage 2: Beta two.\n\nWhat is beta?',
        },
      ]),
    ).toEqual({
      passages: [
        { n: 1, text: 'Alpha one.' },
        { n: 2, text: 'Beta two.' },
      ],
      question: 'What is beta?',
    });
    expect(
      parsePrompt([
        {
          role: 'user',
          content:
            'Context:\n[1] Alpha one.\nQuestion: What is alpha\nexactly?',
        },
      ]).question,
    ).toBe('What is alpha\nexactly?');
  });

  it("reads the RAG chat backend's prompt: a delimited block, titles, a Question line", async () => {
    const prompt = parsePrompt([
      { role: 'system', content: 'Cite passages like [1] or [2][3].' },
      { role: 'user', content: 'What is Kafka?' },
      { role: 'assistant', content: 'Kafka is a log [1].' },
      {
        role: 'user',
        content: [
          '<<<PASSAGES',
          '[1] Kafka lag › Status rules',
          'A group whose committed offsets stop moving while messages arrive is stalled.',
          '',
          '[2] GPU nodes',
          'Each GPU node offers eight GPUs to the model servers.',
          'PASSAGES>>>',
          '',
          'Question: When is a consumer group stalled?',
        ].join('\n'),
      },
    ]);
    expect(prompt.question).toBe('When is a consumer group stalled?');
    expect(prompt.passages.map(p => p.n)).toEqual([1, 2]);
    expect(prompt.passages[1].text).toBe(
      'GPU nodes\nEach GPU node offers eight GPUs to the model servers.',
    );
    expect(await composeAnswer(prompt, lexicalScorer)).toBe(
      'A group whose committed offsets stop moving while messages arrive is stalled [1].',
    );
  });

  it('cites the sentences that match the question', async () => {
    const answer = await composeAnswer(
      parsePrompt(ragMessages()),
      lexicalScorer,
    );
    expect(answer).toMatch(/\[1\]\.$/);
    expect(answer).not.toMatch(/\[[23]\]/);
  });

  it('quotes whole sentences of hard-wrapped prose, and no YAML or table line', () => {
    // A manifest's wrapped comment (how the templates' YAML files are indexed), then its keys.
    const manifest = [
      "# The platform's Kafka cluster, run by Strimzi: three nodes that are both",
      '# controller and broker (KRaft), on the general node group. Strimzi serves each',
      '# internal listener at <name>-kafka-bootstrap.',
      'apiVersion: kafka.strimzi.io/v1beta2',
      'kind: KafkaNodePool',
      'metadata:',
      '  name: nodes',
    ].join('\n');
    expect(sentencesOf(manifest)).toEqual([
      "The platform's Kafka cluster, run by Strimzi: three nodes that are both controller and broker (KRaft), on the general node group.",
      'Strimzi serves each internal listener at <name>-kafka-bootstrap.',
    ]);
    // A wrapped Markdown paragraph and list item; a table's rows are not quoted.
    const readme = [
      'The sandbox runs three Kafka brokers on',
      'loopback, each a controller too.',
      '- A test that stops a broker says so in',
      '  its first comment.',
      '| part | what it runs here |',
      '| kafka | three brokers |',
    ].join('\n');
    expect(sentencesOf(readme)).toEqual([
      'The sandbox runs three Kafka brokers on loopback, each a controller too.',
      'A test that stops a broker says so in its first comment.',
    ]);
  });

  it('streams pieces that add up to the answer', () => {
    const text = 'Lag grows [1]. GPU nodes carry a taint (nvidia.com/gpu) [2].';
    const tokens = toTokens(text);
    expect(tokens.join('')).toBe(text);
    expect(tokens).toContain(' [1]');
  });
});

describe('metrics and scheduling', () => {
  it('renders cumulative histogram buckets', () => {
    const registry = new Registry();
    const h = registry.register(new Histogram('x_seconds', 'X.', [0.1, 1]));
    h.observe({ model_name: 'm' }, 0.05);
    h.observe({ model_name: 'm' }, 0.5);
    h.observe({ model_name: 'm' }, 5);
    expect(registry.render()).toBe(
      [
        '# HELP x_seconds X.',
        '# TYPE x_seconds histogram',
        'x_seconds_bucket{model_name="m",le="0.1"} 1',
        'x_seconds_bucket{model_name="m",le="1"} 2',
        'x_seconds_bucket{model_name="m",le="+Inf"} 3',
        'x_seconds_sum{model_name="m"} 5.55',
        'x_seconds_count{model_name="m"} 3',
        '',
      ].join('\n'),
    );
  });

  it('admits in arrival order and drops waiters whose client left', async () => {
    const scheduler = new Scheduler({ maxRunning: 1, tokenBudget: 100 });
    const first = await scheduler.acquire(10);
    const gone = new AbortController();
    const order: string[] = [];
    const second = scheduler.acquire(10, gone.signal).then(
      () => order.push('second'),
      () => order.push('second aborted'),
    );
    const third = scheduler.acquire(10).then(s => {
      order.push('third');
      return s;
    });
    expect(scheduler.numWaiting).toBe(2);
    gone.abort();
    await second;
    first.release();
    (await third).release();
    expect(order).toEqual(['second aborted', 'third']);
    expect(scheduler.numRunning).toBe(0);
  });
});
