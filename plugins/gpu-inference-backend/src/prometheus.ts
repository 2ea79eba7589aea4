export type Sample = {
  metric: Record<string, string>;
  value: [number, string];
};
export type Range = {
  metric: Record<string, string>;
  values: [number, string][];
};

/** Prometheus's HTTP API, with a bounded wait and errors that name the config key. */
export class PrometheusClient {
  queries = 0;

  constructor(private readonly baseUrl: string) {}

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

  private async get<T>(
    path: string,
    params: Record<string, string>,
  ): Promise<T> {
    this.queries++;
    let res: Response;
    try {
      res = await fetch(
        `${this.baseUrl.replace(/\/+$/, '')}${path}?${new URLSearchParams(
          params,
        )}`,
        {
          signal: AbortSignal.timeout(10_000),
        },
      );
    } catch (error) {
      throw new Error(
        `Prometheus at ${this.baseUrl} is unreachable (${
          (error as Error).cause ?? (error as Error).message
        }); check gpuInference.prometheus.baseUrl`,
      );
    }
    const body = await res.json().catch(() => undefined);
    if (!res.ok || body?.status !== 'success') {
      throw new Error(
        `Prometheus answered ${res.status}: ${
          body?.error ?? res.statusText
        } (query: ${params.query})`,
      );
    }
    return body.data.result as T;
  }
}
