import {
  GpuUse,
  ModelServerFigures,
  ModelServerView,
  Saturation,
} from '@internal/plugin-gpu-inference-common';
import { modelServerQueries, quantileQuery } from './promql';
import { PrometheusApi } from './prometheus';

/** Which limit the model server is at now, in words. */
export function saturation(
  f: ModelServerFigures,
  gpus: GpuUse[],
): { saturation: Saturation; verdict: string } {
  const gpuBusy = gpus.length > 0 && gpus.every(g => g.utilisation >= 90);
  if (f.kvCacheUsage >= 0.9) {
    return {
      saturation: 'kv-cache-full',
      verdict: `KV cache ${(f.kvCacheUsage * 100).toFixed(
        0,
      )}% full: new sequences wait for memory`,
    };
  }
  if (f.requestsWaiting > 0 && gpuBusy) {
    return {
      saturation: 'gpu-saturated',
      verdict: `GPUs at ≥ 90% and ${f.requestsWaiting} requests waiting: add replicas or GPUs`,
    };
  }
  if (f.requestsWaiting > 0) {
    return {
      saturation: 'queueing',
      verdict: `${f.requestsWaiting} requests waiting with GPUs not saturated: the server's concurrent-sequence limit is the bottleneck`,
    };
  }
  if (f.requestsRunning === 0 && f.generationTokensPerSecond === 0) {
    return { saturation: 'idle', verdict: 'no requests in the last 5 minutes' };
  }
  return { saturation: 'healthy', verdict: 'serving without a queue' };
}

export async function modelServerFigures(
  client: PrometheusApi,
  selector: string,
  rangeSeconds: number,
): Promise<{ figures: ModelServerFigures; series: ModelServerView['series'] }> {
  const q = modelServerQueries(selector);
  const step = Math.max(15, Math.round(rangeSeconds / 120));
  const scalar = async (promql: string) =>
    Number((await client.query(promql))[0]?.value[1] ?? 0);
  const [
    requestsRunning,
    requestsWaiting,
    kvCacheUsage,
    promptTokensPerSecond,
    generationTokensPerSecond,
    quantiles,
    ttftRange,
    waitingRange,
  ] = await Promise.all([
    scalar(q.requestsRunning),
    scalar(q.requestsWaiting),
    scalar(q.kvCacheUsage),
    scalar(q.promptTokensPerSecond),
    scalar(q.generationTokensPerSecond),
    client.query(q.quantiles),
    client.queryRange(
      quantileQuery('vllm:time_to_first_token_seconds', 0.95, selector),
      rangeSeconds,
      step,
    ),
    client.queryRange(q.requestsWaiting, rangeSeconds, step),
  ]);
  const figures: ModelServerFigures = {
    requestsRunning,
    requestsWaiting,
    kvCacheUsage,
    promptTokensPerSecond,
    generationTokensPerSecond,
  };
  for (const sample of quantiles) {
    const value = Number(sample.value[1]);
    if (Number.isFinite(value)) (figures as any)[sample.metric.f] = value;
  }
  const points = new Map<number, ModelServerView['series'][number]>();
  for (const [t, v] of ttftRange[0]?.values ?? []) {
    if (Number.isFinite(Number(v)))
      points.set(t, { ...points.get(t), t, ttftP95: Number(v) });
  }
  for (const [t, v] of waitingRange[0]?.values ?? [])
    points.set(t, { ...points.get(t), t, waiting: Number(v) });
  return { figures, series: [...points.values()].sort((a, b) => a.t - b.t) };
}
