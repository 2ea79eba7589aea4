/*
 * The sandbox's OpenAI-compatible model server (run by `scripts/sandbox up model`):
 *
 *   GET  /v1/models            all-MiniLM-L6-v2 (embeddings, 384 dims) and platform-chat
 *   POST /v1/embeddings        real all-MiniLM-L6-v2 embeddings (see embedder.ts)
 *   POST /v1/chat/completions  answers composed from the prompt's passages (see chat.ts),
 *                              streamed as SSE chunks token by token when `stream` is set
 *   GET  /metrics              vLLM's metrics, computed from the requests served
 *   GET  /health               200 once the model is loaded
 *
 * Like an inference engine it runs at most --max-num-seqs chat sequences at once
 * (their tokens within --kv-cache-tokens); the others wait in FIFO order, so
 * overload shows as waiting requests and a rising time to first token. Tokens are
 * paced (--token-ms each, plus a prefill of --prefill-ms-per-1k-tokens), so
 * TTFT and inter-token latency are real measurements of real waits.
 *
 * Usage: node --no-warnings server.ts [--port 58080] [--model-dir DIR] [--max-num-seqs 4]
 *          [--token-ms 10] [--prefill-ms-per-1k-tokens 50] [--kv-cache-tokens 16384]
 *          [--max-model-len 8192] [--answer-scoring lexical|embeddings] [--embed-threads 1]
 * Environment: MODEL_PORT, MODEL_DIR (defaults for --port and --model-dir).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { composeAnswer, lexicalScorer, parsePrompt, toTokens } from './chat.ts';
import type { ChatMessage, ComposeOptions, SentenceScorer } from './chat.ts';
import {
  EMBEDDING_DIMENSIONS,
  EMBEDDING_MODEL,
  Embedder,
  embeddingScorer,
} from './embedder.ts';
import { PROMETHEUS_CONTENT_TYPE, VllmMetrics } from './metrics.ts';
import { AbortedWhileWaiting, Scheduler } from './scheduler.ts';
import type { Sequence } from './scheduler.ts';

export const CHAT_MODEL = 'platform-chat';
export const DEFAULT_PORT = 58080;

export interface ModelServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  modelDir: string;
  maxNumSeqs: number;
  kvCacheTokens: number;
  maxModelLen: number;
  tokenMs: number;
  prefillMsPer1kTokens: number;
  answerScoring: 'lexical' | 'embeddings';
  embedThreads: number;
}

export function defaultModelDir(): string {
  const cache =
    process.env.PORTAL_CACHE ??
    join(
      process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
      'platform-portal',
    );
  return join(cache, 'models', EMBEDDING_MODEL);
}

// OpenAI's limits for /v1/embeddings.
const MAX_EMBEDDING_INPUTS = 2048;
const MAX_EMBEDDING_INPUT_TOKENS = 8192;
const MAX_BODY_BYTES = 16 * 1024 * 1024;
// Tokens a chat message adds besides its content (role and separators), as OpenAI counts.
const TOKENS_PER_MESSAGE = 4;

/** An error the client caused or can act on, sent as OpenAI's error object. */
class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;

  constructor(
    status: number,
    message: string,
    code: string | null = null,
    param: string | null = null,
  ) {
    super(message);
    this.status = status;
    this.type = status >= 500 ? 'server_error' : 'invalid_request_error';
    this.code = code;
    this.param = param;
  }
}

const badRequest = (
  message: string,
  code: string,
  param: string | null = null,
) => new ApiError(400, message, code, param);

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    // A stream already started: report in-band, as OpenAI does, then end it.
    if (!res.writableEnded) {
      res.write(
        `data: ${JSON.stringify({ error: errorBody(error).error })}\n\n`,
      );
      res.end();
    }
    return;
  }
  sendJson(res, error.status, errorBody(error));
}

function errorBody(error: ApiError) {
  return {
    error: {
      message: error.message,
      type: error.type,
      param: error.param,
      code: error.code,
    },
  };
}

async function readJson(
  req: IncomingMessage,
): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new ApiError(
        413,
        `request body larger than ${MAX_BODY_BYTES} bytes`,
        'body_too_large',
      );
    }
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('request body is not valid JSON', 'invalid_json');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('request body must be a JSON object', 'invalid_json');
  }
  return body as Record<string, unknown>;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const seconds = (fromMs: number, toMs: number) => (toMs - fromMs) / 1000;

function checkModel(
  requested: unknown,
  served: string,
  other: string,
  what: string,
): string {
  if (requested === undefined || requested === null) return served;
  if (typeof requested !== 'string')
    throw badRequest('model must be a string', 'invalid_type', 'model');
  if (requested === served) return served;
  if (requested === other) {
    throw badRequest(
      `model ${other} does not support ${what}`,
      'model_not_supported',
      'model',
    );
  }
  throw badRequest(
    `The model \`${requested}\` does not exist. Models: ${CHAT_MODEL}, ${EMBEDDING_MODEL}`,
    'model_not_found',
    'model',
  );
}

function messageText(content: unknown, index: number): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map(part => {
        if (part && typeof part === 'object' && (part as any).type === 'text') {
          return String((part as any).text ?? '');
        }
        throw badRequest(
          `messages[${index}].content: only text parts are supported`,
          'invalid_value',
          `messages[${index}].content`,
        );
      })
      .join('\n');
  }
  if (content === null || content === undefined) return '';
  throw badRequest(
    `messages[${index}].content must be a string or an array of text parts`,
    'invalid_type',
    `messages[${index}].content`,
  );
}

function parseMessages(value: unknown): ChatMessage[] {
  if (value === undefined) {
    throw badRequest(
      "you must provide a 'messages' parameter",
      'missing_required_parameter',
      'messages',
    );
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest(
      'messages must be a non-empty array',
      'invalid_value',
      'messages',
    );
  }
  return value.map((m, i) => {
    if (!m || typeof m !== 'object' || typeof (m as any).role !== 'string') {
      throw badRequest(
        `messages[${i}] must be an object with a role`,
        'invalid_value',
        `messages[${i}]`,
      );
    }
    return {
      role: (m as any).role,
      content: messageText((m as any).content, i),
    };
  });
}

function positiveInteger(
  body: Record<string, unknown>,
  name: string,
): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw badRequest(
      `${name} must be a positive integer`,
      'invalid_value',
      name,
    );
  }
  return value;
}

export interface ModelServer {
  server: Server;
  /** http://host:port/v1 */
  url: string;
  close(): Promise<void>;
}

export async function startModelServer(
  options: ModelServerOptions,
): Promise<ModelServer> {
  const loadStart = performance.now();
  const embedder = await Embedder.create({
    modelDir: options.modelDir,
    threads: options.embedThreads,
  });
  const loadMs = Math.round(performance.now() - loadStart);
  const created = Math.floor(Date.now() / 1000);

  const chatScheduler = new Scheduler({
    maxRunning: options.maxNumSeqs,
    tokenBudget: options.kvCacheTokens,
  });
  // One embedding batch at a time: it uses the CPU the whole time it runs.
  const embedScheduler = new Scheduler({
    maxRunning: 1,
    tokenBudget: Number.MAX_SAFE_INTEGER,
  });
  const metrics = new VllmMetrics(
    () => [
      {
        model: CHAT_MODEL,
        running: chatScheduler.numRunning,
        waiting: chatScheduler.numWaiting,
        kvCacheUsage: chatScheduler.usage,
      },
      {
        model: EMBEDDING_MODEL,
        running: embedScheduler.numRunning,
        waiting: embedScheduler.numWaiting,
        kvCacheUsage: 0,
      },
    ],
    {
      chat: [CHAT_MODEL],
      embeddings: [EMBEDDING_MODEL],
      finishReasons: ['stop', 'length', 'abort'],
    },
  );
  const scorer: SentenceScorer =
    options.answerScoring === 'embeddings'
      ? embeddingScorer(embedder)
      : lexicalScorer;
  const composeOptions: ComposeOptions =
    options.answerScoring === 'embeddings'
      ? { minScore: 0.25, relativeThreshold: 0.8 }
      : {};

  // Throughput since the last log line, as vLLM logs it every 10 s.
  const window = {
    promptTokens: 0,
    generationTokens: 0,
    since: performance.now(),
  };
  const countPrompt = (model: string, tokens: number) => {
    metrics.promptTokens.inc({ model_name: model }, tokens);
    window.promptTokens += tokens;
  };

  const models = [
    { id: EMBEDDING_MODEL, max_model_len: 256 },
    { id: CHAT_MODEL, max_model_len: options.maxModelLen },
  ].map(m => ({
    ...m,
    object: 'model',
    created,
    owned_by: 'platform-portal-sandbox',
  }));

  /** Runs `work` once the client's request is admitted; frees the slot however it ends. */
  async function admitted<T>(
    scheduler: Scheduler,
    model: string,
    tokens: number,
    signal: AbortSignal,
    arrival: number,
    work: (sequence: Sequence) => Promise<T>,
  ): Promise<T | undefined> {
    let sequence: Sequence;
    try {
      sequence = await scheduler.acquire(tokens, signal);
    } catch (error) {
      if (error instanceof AbortedWhileWaiting) return undefined;
      throw error;
    }
    try {
      metrics.queueTime.observe(
        { model_name: model },
        seconds(arrival, performance.now()),
      );
      return await work(sequence);
    } finally {
      sequence.release();
    }
  }

  async function embeddings(
    body: Record<string, unknown>,
    res: ServerResponse,
    signal: AbortSignal,
    arrival: number,
  ) {
    const model = checkModel(
      body.model,
      EMBEDDING_MODEL,
      CHAT_MODEL,
      'embeddings',
    );
    const raw = body.input;
    if (raw === undefined) {
      throw badRequest(
        "you must provide an 'input' parameter",
        'missing_required_parameter',
        'input',
      );
    }
    const inputs = typeof raw === 'string' ? [raw] : raw;
    if (
      !Array.isArray(inputs) ||
      inputs.length === 0 ||
      inputs.some(i => typeof i !== 'string')
    ) {
      throw badRequest(
        'input must be a string or a non-empty array of strings',
        'invalid_value',
        'input',
      );
    }
    if (inputs.length > MAX_EMBEDDING_INPUTS) {
      throw badRequest(
        `input has ${inputs.length} items; at most ${MAX_EMBEDDING_INPUTS} per request`,
        'input_too_large',
        'input',
      );
    }
    inputs.forEach((text: string, i) => {
      if (text.length === 0)
        throw badRequest(`input[${i}] is empty`, 'invalid_value', 'input');
      // Cheap bound first: a WordPiece token covers at least one character.
      if (
        text.length > MAX_EMBEDDING_INPUT_TOKENS &&
        embedder.countTokens(text) > MAX_EMBEDDING_INPUT_TOKENS
      ) {
        throw badRequest(
          `input[${i}] is longer than ${MAX_EMBEDDING_INPUT_TOKENS} tokens`,
          'context_length_exceeded',
          'input',
        );
      }
    });
    const format = body.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64') {
      throw badRequest(
        'encoding_format must be "float" or "base64"',
        'invalid_value',
        'encoding_format',
      );
    }
    if (
      body.dimensions !== undefined &&
      body.dimensions !== EMBEDDING_DIMENSIONS
    ) {
      throw badRequest(
        `${EMBEDDING_MODEL} has ${EMBEDDING_DIMENSIONS} dimensions and cannot return ${body.dimensions}`,
        'invalid_value',
        'dimensions',
      );
    }
    const labels = { model_name: model };
    const result = await admitted(
      embedScheduler,
      model,
      inputs.length,
      signal,
      arrival,
      () => embedder.embed(inputs as string[]),
    );
    if (!result) return;
    countPrompt(model, result.tokens);
    metrics.requestSuccess.inc({ ...labels, finished_reason: 'stop' });
    metrics.e2eLatency.observe(labels, seconds(arrival, performance.now()));
    sendJson(res, 200, {
      object: 'list',
      data: result.vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding:
          format === 'base64'
            ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString(
                'base64',
              )
            : Array.from(v),
      })),
      model,
      usage: { prompt_tokens: result.tokens, total_tokens: result.tokens },
    });
  }

  async function chatCompletions(
    body: Record<string, unknown>,
    res: ServerResponse,
    signal: AbortSignal,
    arrival: number,
  ) {
    const model = checkModel(
      body.model,
      CHAT_MODEL,
      EMBEDDING_MODEL,
      'chat completions',
    );
    const messages = parseMessages(body.messages);
    const maxTokens =
      positiveInteger(body, 'max_completion_tokens') ??
      positiveInteger(body, 'max_tokens');
    if ((positiveInteger(body, 'n') ?? 1) !== 1) {
      throw badRequest('only n = 1 is supported', 'invalid_value', 'n');
    }
    const stream = body.stream === true;
    const includeUsage =
      stream &&
      (body.stream_options as { include_usage?: unknown } | undefined)
        ?.include_usage === true;
    const promptTokens =
      messages.reduce(
        (sum, m) => sum + TOKENS_PER_MESSAGE + embedder.countTokens(m.content),
        0,
      ) + 3;
    if (promptTokens > options.maxModelLen) {
      throw badRequest(
        `This model's maximum context length is ${options.maxModelLen} tokens. ` +
          `However, your messages resulted in ${promptTokens} tokens.`,
        'context_length_exceeded',
        'messages',
      );
    }

    const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
    const createdAt = Math.floor(Date.now() / 1000);
    const chunk = (delta: object, finishReason: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created: createdAt,
      model,
      choices: [
        { index: 0, delta, logprobs: null, finish_reason: finishReason },
      ],
      ...(includeUsage ? { usage: null } : {}),
    });
    const send = (data: unknown) =>
      res.write(`data: ${JSON.stringify(data)}\n\n`);
    if (stream) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-request-id': id,
      });
      res.flushHeaders();
    }

    const labels = { model_name: model };
    await admitted(
      chatScheduler,
      model,
      promptTokens,
      signal,
      arrival,
      async sequence => {
        const prefillStart = performance.now();
        countPrompt(model, promptTokens);
        const answer = await composeAnswer(
          parsePrompt(messages),
          scorer,
          composeOptions,
        );
        let tokens = toTokens(answer);
        let finishReason = 'stop';
        if (maxTokens !== undefined && tokens.length > maxTokens) {
          tokens = tokens.slice(0, maxTokens);
          finishReason = 'length';
        }
        const prefillMs = (options.prefillMsPer1kTokens * promptTokens) / 1000;
        await sleep(
          Math.max(0, prefillMs - (performance.now() - prefillStart)),
        );

        if (stream && !signal.aborted)
          send(chunk({ role: 'assistant', content: '' }, null));
        let previous = 0;
        let generated = 0;
        for (const token of tokens) {
          if (generated > 0) await sleep(options.tokenMs);
          if (signal.aborted) {
            metrics.requestSuccess.inc({ ...labels, finished_reason: 'abort' });
            return;
          }
          const now = performance.now();
          if (generated === 0)
            metrics.timeToFirstToken.observe(labels, seconds(arrival, now));
          else
            metrics.interTokenLatency.observe(labels, seconds(previous, now));
          previous = now;
          generated++;
          sequence.tokens++;
          metrics.generationTokens.inc(labels);
          window.generationTokens++;
          if (stream) send(chunk({ content: token }, null));
        }
        metrics.requestSuccess.inc({
          ...labels,
          finished_reason: finishReason,
        });
        metrics.e2eLatency.observe(labels, seconds(arrival, performance.now()));
        const usage = {
          prompt_tokens: promptTokens,
          completion_tokens: generated,
          total_tokens: promptTokens + generated,
        };
        if (stream) {
          send(chunk({}, finishReason));
          if (includeUsage) send({ ...chunk({}, null), choices: [], usage });
          res.end('data: [DONE]\n\n');
        } else {
          sendJson(res, 200, {
            id,
            object: 'chat.completion',
            created: createdAt,
            model,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: tokens.join('') },
                logprobs: null,
                finish_reason: finishReason,
              },
            ],
            usage,
          });
        }
      },
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const arrival = performance.now();
    const abort = new AbortController();
    // The client went away before the response was complete: free its place.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /v1/models':
        return sendJson(res, 200, { object: 'list', data: models });
      case 'GET /health':
        res.writeHead(200).end();
        return undefined;
      case 'GET /metrics': {
        const text = metrics.render();
        res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
        res.end(text);
        return undefined;
      }
      case 'POST /v1/embeddings':
        return embeddings(await readJson(req), res, abort.signal, arrival);
      case 'POST /v1/chat/completions':
        return chatCompletions(await readJson(req), res, abort.signal, arrival);
      default: {
        const model = /^GET \/v1\/models\/(.+)$/.exec(route);
        if (model) {
          const found = models.find(m => m.id === decodeURIComponent(model[1]));
          if (found) return sendJson(res, 200, found);
          throw new ApiError(
            404,
            `The model \`${model[1]}\` does not exist`,
            'model_not_found',
          );
        }
        const known = [
          '/v1/models',
          '/health',
          '/metrics',
          '/v1/embeddings',
          '/v1/chat/completions',
        ];
        if (known.includes(path)) {
          throw new ApiError(
            405,
            `${req.method} is not allowed on ${path}`,
            'method_not_allowed',
          );
        }
        throw new ApiError(404, `no route ${req.method} ${path}`, 'not_found');
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(error => {
      if (error instanceof ApiError) {
        sendError(res, error);
      } else {
        process.stderr.write(
          `${new Date().toISOString()} ${req.method} ${req.url}: ${
            error?.stack ?? error
          }\n`,
        );
        sendError(
          res,
          new ApiError(
            500,
            'internal error of the model server; see its log',
            null,
          ),
        );
      }
    });
  });
  // Streams can be long; idle keep-alive sockets are closed as Node does by default.
  server.requestTimeout = 0;

  const statsTimer = setInterval(() => {
    const busy = chatScheduler.numRunning + chatScheduler.numWaiting > 0;
    if (!busy && window.promptTokens === 0 && window.generationTokens === 0)
      return;
    const elapsed = (performance.now() - window.since) / 1000;
    log(
      `Avg prompt throughput: ${(window.promptTokens / elapsed).toFixed(
        1,
      )} tokens/s, ` +
        `Avg generation throughput: ${(
          window.generationTokens / elapsed
        ).toFixed(1)} tokens/s, ` +
        `Running: ${chatScheduler.numRunning} reqs, Waiting: ${chatScheduler.numWaiting} reqs, ` +
        `KV cache usage: ${(chatScheduler.usage * 100).toFixed(1)}%`,
    );
    window.promptTokens = 0;
    window.generationTokens = 0;
    window.since = performance.now();
  }, 10_000);
  statsTimer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port =
    typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host}:${port}/v1`;
  log(
    `model server listening on ${url} (${EMBEDDING_MODEL} loaded in ${loadMs} ms; ` +
      `max-num-seqs ${options.maxNumSeqs}, token ${options.tokenMs} ms, ` +
      `answers scored ${options.answerScoring})`,
  );
  return {
    server,
    url,
    close: () =>
      new Promise<void>(resolve => {
        clearInterval(statsTimer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function log(message: string) {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

export function parseServerArgs(argv: string[]): ModelServerOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: {
        type: 'string',
        default: process.env.MODEL_PORT ?? String(DEFAULT_PORT),
      },
      'model-dir': {
        type: 'string',
        default: process.env.MODEL_DIR ?? defaultModelDir(),
      },
      'max-num-seqs': { type: 'string', default: '4' },
      'kv-cache-tokens': { type: 'string', default: '16384' },
      'max-model-len': { type: 'string', default: '8192' },
      'token-ms': { type: 'string', default: '10' },
      'prefill-ms-per-1k-tokens': { type: 'string', default: '50' },
      'answer-scoring': { type: 'string', default: 'lexical' },
      'embed-threads': { type: 'string', default: '1' },
    },
    strict: true,
  });
  const number = (name: keyof typeof values, min: number) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min) {
      throw new Error(
        `--${name} must be a number >= ${min}, got ${values[name]}`,
      );
    }
    return value;
  };
  const scoring = values['answer-scoring'];
  if (scoring !== 'lexical' && scoring !== 'embeddings') {
    throw new Error(
      `--answer-scoring must be lexical or embeddings, got ${scoring}`,
    );
  }
  return {
    host: values.host!,
    port: number('port', 0),
    modelDir: values['model-dir']!,
    maxNumSeqs: number('max-num-seqs', 1),
    kvCacheTokens: number('kv-cache-tokens', 1),
    maxModelLen: number('max-model-len', 1),
    tokenMs: number('token-ms', 0),
    prefillMsPer1kTokens: number('prefill-ms-per-1k-tokens', 0),
    answerScoring: scoring,
    embedThreads: number('embed-threads', 1),
  };
}

// Run as a script (node server.ts), not when imported by a test.
if (process.argv[1]?.endsWith('server.ts')) {
  (async () => {
    const running = await startModelServer(
      parseServerArgs(process.argv.slice(2)),
    );
    const stop = () => {
      log('model server stopping');
      running.close().finally(() => process.exit(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  })().catch(error => {
    log(`model server failed: ${error?.message ?? error}`);
    process.exit(1);
  });
}
