import {
  GpuUse,
  ModelServerFigures,
} from '@internal/plugin-gpu-inference-common';
import { saturation } from './modelServer';

const figures = (f: Partial<ModelServerFigures>): ModelServerFigures => ({
  requestsRunning: 2,
  requestsWaiting: 0,
  promptTokensPerSecond: 50,
  generationTokensPerSecond: 120,
  kvCacheUsage: 0.3,
  ...f,
});

const gpu = (utilisation: number): GpuUse => ({
  node: 'ip-10-0-5-9',
  gpu: '0',
  uuid: 'GPU-0',
  modelName: 'NVIDIA A100-SXM4-40GB',
  utilisation,
  memoryUsedMiB: 30000,
  memoryTotalMiB: 40960,
  powerWatts: 300,
  temperatureC: 60,
  smClockMHz: 1410,
  xidErrors: 0,
});

describe('saturation', () => {
  it.each([
    [
      'idle',
      figures({ requestsRunning: 0, generationTokensPerSecond: 0 }),
      [gpu(1)],
    ],
    ['healthy', figures({}), [gpu(60)]],
    ['queueing', figures({ requestsWaiting: 3 }), [gpu(95), gpu(40)]],
    ['queueing', figures({ requestsWaiting: 3 }), []],
    ['gpu-saturated', figures({ requestsWaiting: 3 }), [gpu(95), gpu(91)]],
    [
      'kv-cache-full',
      figures({ requestsWaiting: 3, kvCacheUsage: 0.95 }),
      [gpu(95)],
    ],
  ] as const)('says %s for its own figures', (expected, f, gpus) => {
    const result = saturation(f, [...gpus]);
    expect(result.saturation).toBe(expected);
    expect(result.verdict).not.toBe('');
  });

  it('puts numbers in the verdict', () => {
    expect(
      saturation(figures({ requestsWaiting: 3, kvCacheUsage: 0.95 }), [])
        .verdict,
    ).toBe('KV cache 95% full: new sequences wait for memory');
    expect(saturation(figures({ requestsWaiting: 3 }), [gpu(95)]).verdict).toBe(
      'GPUs at ≥ 90% and 3 requests waiting: add replicas or GPUs',
    );
  });
});
