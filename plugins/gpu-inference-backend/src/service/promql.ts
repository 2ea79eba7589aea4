/*
 * The PromQL the plugin sends, built in one place. A fleet view costs two instant queries
 * whatever the number of GPUs; a model server view six instant and two range queries.
 */
import { InputError } from '@backstage/errors';

export const DCGM_FIELDS = {
  utilisation: 'DCGM_FI_DEV_GPU_UTIL',
  memoryUsed: 'DCGM_FI_DEV_FB_USED',
  memoryFree: 'DCGM_FI_DEV_FB_FREE',
  power: 'DCGM_FI_DEV_POWER_USAGE',
  temperature: 'DCGM_FI_DEV_GPU_TEMP',
  smClock: 'DCGM_FI_DEV_SM_CLOCK',
  xid: 'DCGM_FI_DEV_XID_ERRORS',
} as const;

const DURATION = /^[0-9]+(ms|s|m|h|d|w|y)$/;

/** A Prometheus duration of one unit, e.g. 30m. */
export function isDuration(window: string): boolean {
  return DURATION.test(window);
}

export function assertDuration(window: string) {
  if (!isDuration(window))
    throw new InputError(`not a Prometheus duration: "${window}"`);
  return window;
}

/** The length of a Prometheus duration in hours. */
export function durationHours(duration: string): number {
  const [, n, unit] = duration.match(/^([0-9]+)(ms|s|m|h|d|w|y)$/) ?? [];
  const hours: Record<string, number> = {
    ms: 1 / 3_600_000,
    s: 1 / 3600,
    m: 1 / 60,
    h: 1,
    d: 24,
    w: 168,
    y: 8760,
  };
  return Number(n) * (hours[unit] ?? NaN);
}

/** Every current DCGM value of every GPU, in one query. */
export function gpuFieldsQuery(): string {
  return `{__name__=~"${Object.values(DCGM_FIELDS).join('|')}"}`;
}

/** Mean utilisation of every GPU over the window. */
export function gpuUtilisationAvgQuery(window: string): string {
  return `avg_over_time(${DCGM_FIELDS.utilisation}[${assertDuration(window)}])`;
}

/** Checks a selector from an annotation: label matchers only, nothing that could change the query. */
export function parseSelector(selector: string): string {
  const matcher =
    /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*$/;
  const parts = selector.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  if (parts.length === 0 || !parts.every(p => matcher.test(p))) {
    throw new InputError(
      `not a list of PromQL label matchers: ${selector} (expected e.g. job="model-server",model_name="my-model")`,
    );
  }
  return parts.map(p => p.trim()).join(',');
}

export function quantileQuery(
  histogram: string,
  q: number,
  selector: string,
  rate = '5m',
) {
  return `histogram_quantile(${q}, sum by (le) (rate(${histogram}_bucket{${selector}}[${assertDuration(
    rate,
  )}])))`;
}

/** The model server's current figures, one query each. */
export function modelServerQueries(selector: string): Record<string, string> {
  return {
    requestsRunning: `sum(vllm:num_requests_running{${selector}})`,
    requestsWaiting: `sum(vllm:num_requests_waiting{${selector}})`,
    kvCacheUsage: `max(vllm:kv_cache_usage_perc{${selector}})`,
    promptTokensPerSecond: `sum(rate(vllm:prompt_tokens_total{${selector}}[5m]))`,
    generationTokensPerSecond: `sum(rate(vllm:generation_tokens_total{${selector}}[5m]))`,
    quantiles: [
      `label_replace(${quantileQuery(
        'vllm:time_to_first_token_seconds',
        0.5,
        selector,
      )}, "f", "ttftP50", "", "")`,
      `label_replace(${quantileQuery(
        'vllm:time_to_first_token_seconds',
        0.95,
        selector,
      )}, "f", "ttftP95", "", "")`,
      `label_replace(${quantileQuery(
        'vllm:e2e_request_latency_seconds',
        0.5,
        selector,
      )}, "f", "e2eP50", "", "")`,
      `label_replace(${quantileQuery(
        'vllm:e2e_request_latency_seconds',
        0.95,
        selector,
      )}, "f", "e2eP95", "", "")`,
      `label_replace(${quantileQuery(
        'vllm:inter_token_latency_seconds',
        0.5,
        selector,
      )}, "f", "interTokenP50", "", "")`,
      `label_replace(${quantileQuery(
        'vllm:request_queue_time_seconds',
        0.95,
        selector,
      )}, "f", "queueTimeP95", "", "")`,
    ].join(' or '),
  };
}
