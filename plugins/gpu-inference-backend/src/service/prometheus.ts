import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';

export type Sample = {
  metric: Record<string, string>;
  value: [number, string];
};
export type Range = {
  metric: Record<string, string>;
  values: [number, string][];
};

/**
 * Prometheus could not answer. The message is for users: it names the config key, never the
 * URL (that, and the cause, go to the backend log). The views catch it and report the panel's
 * `PrometheusStatus` as `unreachable` (a partial result, not a failed request).
 */
export class PrometheusError extends ServiceUnavailableError {}

/** What the views ask Prometheus. */
export interface PrometheusApi {
  query(promql: string): Promise<Sample[]>;
  queryRange(promql: string, seconds: number, step: number): Promise<Range[]>;
}

/**
 * Prometheus's HTTP API at `gpuInference.prometheus.baseUrl`, with a bounded wait. One instance
 * for the plugin, created at startup. An outage is logged once with the URL and the cause (again
 * when the cause changes), and its end once.
 */
export class PrometheusClient implements PrometheusApi {
  /** The log message of the failure being reported, until a query succeeds again. */
  private failing?: string;

  constructor(
    private readonly options: { baseUrl: string; logger: LoggerService },
  ) {}

  query(promql: string): Promise<Sample[]> {
    return this.get('/api/v1/query', { query: promql });
  }

  queryRange(promql: string, seconds: number, step: number): Promise<Range[]> {
    const end = Math.floor(Date.now() / 1000);
    return this.get('/api/v1/query_range', {
      query: promql,
      start: String(end - seconds),
      end: String(end),
      step: String(step),
    });
  }

  /** Logs the start of a failure with the URL and the cause; throws the user's message. */
  private fail(
    userMessage: string,
    logMessage: string,
    meta: Record<string, unknown>,
  ): never {
    if (this.failing !== logMessage) {
      this.failing = logMessage;
      this.options.logger.warn(logMessage, {
        baseUrl: this.options.baseUrl,
        ...meta,
      });
    }
    throw new PrometheusError(userMessage);
  }

  private succeed<T>(result: T): T {
    if (this.failing) {
      this.failing = undefined;
      this.options.logger.info('Prometheus answers again', {
        baseUrl: this.options.baseUrl,
      });
    }
    return result;
  }

  private async get<T>(
    path: string,
    params: Record<string, string>,
  ): Promise<T> {
    const { baseUrl } = this.options;
    let res: Response;
    try {
      res = await fetch(
        `${baseUrl.replace(/\/+$/, '')}${path}?${new URLSearchParams(params)}`,
        { signal: AbortSignal.timeout(10_000) },
      );
    } catch (error) {
      const e = error as Error;
      return this.fail(
        'Prometheus at gpuInference.prometheus.baseUrl is unreachable',
        'Prometheus is unreachable',
        { cause: String(e.cause ?? e.message) },
      );
    }
    const body = await res.json().catch(() => undefined);
    if (body?.status === 'success' && res.ok)
      return this.succeed(body.data.result as T);
    if (body?.status === 'error') {
      return this.fail(
        `Prometheus at gpuInference.prometheus.baseUrl refused a query (${res.status}): ${body.error}`,
        'Prometheus refused a query',
        { status: res.status, error: body.error, query: params.query },
      );
    }
    return this.fail(
      `Prometheus at gpuInference.prometheus.baseUrl did not answer as the Prometheus HTTP API (${res.status}): check that it is the Prometheus base URL`,
      'Prometheus did not answer as the Prometheus HTTP API',
      { status: res.status, statusText: res.statusText },
    );
  }
}

/** The client, counting the queries one view makes (`FleetView.queries`). */
export function countingQueries(
  api: PrometheusApi,
): PrometheusApi & { readonly queries: number } {
  let queries = 0;
  return {
    get queries() {
      return queries;
    },
    query(promql) {
      queries++;
      return api.query(promql);
    },
    queryRange(promql, seconds, step) {
      queries++;
      return api.queryRange(promql, seconds, step);
    },
  };
}
