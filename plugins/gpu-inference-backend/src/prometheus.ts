import { LoggerService } from '@backstage/backend-plugin-api';

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
 * URL (that, and the cause, go to the backend log).
 */
export class PrometheusError extends Error {
  name = 'PrometheusError';
}

/** Prometheus's HTTP API, with a bounded wait; one instance per view, counting its queries. */
export class PrometheusClient {
  queries = 0;
  private logged = false;

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

  /** Logs the first failure of this view with the URL and the cause; throws the user's message. */
  private fail(
    userMessage: string,
    logMessage: string,
    meta: Record<string, unknown>,
  ): never {
    if (!this.logged) {
      this.logged = true;
      this.options.logger.warn(logMessage, {
        baseUrl: this.options.baseUrl,
        ...meta,
      });
    }
    throw new PrometheusError(userMessage);
  }

  private async get<T>(
    path: string,
    params: Record<string, string>,
  ): Promise<T> {
    this.queries++;
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
    if (body?.status === 'success' && res.ok) return body.data.result as T;
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
