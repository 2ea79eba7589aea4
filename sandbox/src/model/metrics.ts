/*
 * A small Prometheus registry that writes the text exposition format (0.0.4),
 * and the vLLM metrics the model server publishes, under vLLM's own names,
 * help texts and bucket boundaries, labelled by `model_name`.
 */

type Labels = Record<string, string>;

function escapeLabelValue(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/"/g, '\\"');
}

function formatLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs
    .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
    .join(',')}}`;
}

function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  return String(value);
}

const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels));

interface Family {
  render(): string[];
}

/** A counter per label set: only goes up. */
export class Counter implements Family {
  readonly name: string;
  readonly help: string;
  private readonly values = new Map<
    string,
    { labels: Labels; value: number }
  >();

  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  /** Publishes the series at 0 before anything is counted, so rate() works from the start. */
  init(labels: Labels): void {
    this.inc(labels, 0);
  }

  inc(labels: Labels, by = 1): void {
    if (by < 0) throw new Error(`${this.name}: a counter cannot go down`);
    const key = keyOf(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }

  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} counter`,
      ...[...this.values.values()].map(
        e => `${this.name}${formatLabels(e.labels)} ${formatNumber(e.value)}`,
      ),
    ];
  }
}

/** A gauge whose value per label set is read when the metrics are scraped. */
export class Gauge implements Family {
  readonly name: string;
  readonly help: string;
  private readonly collect: () => Array<{ labels: Labels; value: number }>;

  constructor(
    name: string,
    help: string,
    collect: () => Array<{ labels: Labels; value: number }>,
  ) {
    this.name = name;
    this.help = help;
    this.collect = collect;
  }

  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} gauge`,
      ...this.collect().map(
        e => `${this.name}${formatLabels(e.labels)} ${formatNumber(e.value)}`,
      ),
    ];
  }
}

export interface HistogramSeries {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

/** A histogram with fixed upper bounds; buckets are cumulative when rendered. */
export class Histogram implements Family {
  readonly name: string;
  readonly help: string;
  readonly buckets: readonly number[];
  private readonly series = new Map<string, HistogramSeries>();

  constructor(name: string, help: string, buckets: readonly number[]) {
    this.name = name;
    this.help = help;
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  /** Publishes the series with empty buckets before anything is observed. */
  init(labels: Labels): HistogramSeries {
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  observe(labels: Labels, value: number): void {
    const s = this.init(labels);
    const i = this.buckets.findIndex(b => value <= b);
    if (i >= 0) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  render(): string[] {
    const lines = [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} histogram`,
    ];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.counts[i];
        lines.push(
          `${this.name}_bucket${formatLabels(s.labels, [
            'le',
            formatNumber(bound),
          ])} ${cumulative}`,
        );
      });
      lines.push(
        `${this.name}_bucket${formatLabels(s.labels, ['le', '+Inf'])} ${
          s.count
        }`,
        `${this.name}_sum${formatLabels(s.labels)} ${formatNumber(s.sum)}`,
        `${this.name}_count${formatLabels(s.labels)} ${s.count}`,
      );
    }
    return lines;
  }
}

export class Registry {
  private readonly families: Family[] = [];

  register<T extends Family>(family: T): T {
    this.families.push(family);
    return family;
  }

  /** The whole registry in the Prometheus text format. */
  render(): string {
    return `${this.families.flatMap(f => f.render()).join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE =
  'text/plain; version=0.0.4; charset=utf-8';

// vLLM's bucket boundaries (vllm/v1/metrics/loggers.py).
const TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5,
  5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
];
const INTER_TOKEN_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0,
  7.5, 10.0, 20.0, 40.0, 80.0,
];
const REQUEST_LATENCY_BUCKETS = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0,
  60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0,
];

/** What the gauges read at scrape time, per served model. */
export interface EngineState {
  model: string;
  running: number;
  waiting: number;
  /** Fraction (0..1) of the token budget held by running sequences. */
  kvCacheUsage: number;
}

/** The vLLM metrics of one server, for every model it serves. */
export class VllmMetrics {
  readonly registry = new Registry();
  readonly promptTokens: Counter;
  readonly generationTokens: Counter;
  readonly requestSuccess: Counter;
  readonly timeToFirstToken: Histogram;
  readonly interTokenLatency: Histogram;
  readonly e2eLatency: Histogram;
  readonly queueTime: Histogram;

  /**
   * @param engines - the state of each served model, read at scrape time
   * @param series - the series to publish before any request: models with
   *   what they serve, and the finish reasons of chat requests
   */
  constructor(
    engines: () => EngineState[],
    series: { chat: string[]; embeddings: string[]; finishReasons: string[] },
  ) {
    const r = this.registry;
    r.register(
      new Gauge(
        'vllm:num_requests_running',
        'Number of requests in model execution batches.',
        () =>
          engines().map(e => ({
            labels: { model_name: e.model },
            value: e.running,
          })),
      ),
    );
    r.register(
      new Gauge(
        'vllm:num_requests_waiting',
        'Number of requests waiting to be processed.',
        () =>
          engines().map(e => ({
            labels: { model_name: e.model },
            value: e.waiting,
          })),
      ),
    );
    r.register(
      new Gauge(
        'vllm:kv_cache_usage_perc',
        'KV-cache usage. 1 means 100 percent usage.',
        () =>
          engines().map(e => ({
            labels: { model_name: e.model },
            value: e.kvCacheUsage,
          })),
      ),
    );
    this.promptTokens = r.register(
      new Counter(
        'vllm:prompt_tokens_total',
        'Number of prefill tokens processed.',
      ),
    );
    this.generationTokens = r.register(
      new Counter(
        'vllm:generation_tokens_total',
        'Number of generation tokens processed.',
      ),
    );
    this.requestSuccess = r.register(
      new Counter(
        'vllm:request_success_total',
        'Count of successfully processed requests.',
      ),
    );
    this.timeToFirstToken = r.register(
      new Histogram(
        'vllm:time_to_first_token_seconds',
        'Histogram of time to first token in seconds.',
        TTFT_BUCKETS,
      ),
    );
    this.interTokenLatency = r.register(
      new Histogram(
        'vllm:inter_token_latency_seconds',
        'Histogram of inter-token latency in seconds.',
        INTER_TOKEN_BUCKETS,
      ),
    );
    this.e2eLatency = r.register(
      new Histogram(
        'vllm:e2e_request_latency_seconds',
        'Histogram of e2e request latency in seconds.',
        REQUEST_LATENCY_BUCKETS,
      ),
    );
    this.queueTime = r.register(
      new Histogram(
        'vllm:request_queue_time_seconds',
        'Histogram of time spent in WAITING phase for request.',
        REQUEST_LATENCY_BUCKETS,
      ),
    );
    for (const model of [...series.chat, ...series.embeddings]) {
      const labels = { model_name: model };
      this.promptTokens.init(labels);
      this.e2eLatency.init(labels);
      this.queueTime.init(labels);
    }
    for (const model of series.chat) {
      const labels = { model_name: model };
      this.generationTokens.init(labels);
      this.timeToFirstToken.init(labels);
      this.interTokenLatency.init(labels);
      for (const reason of series.finishReasons) {
        this.requestSuccess.init({ ...labels, finished_reason: reason });
      }
    }
  }

  render(): string {
    return this.registry.render();
  }
}
