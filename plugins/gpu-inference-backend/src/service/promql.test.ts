import {
  durationHours,
  gpuFieldsQuery,
  gpuUtilisationAvgQuery,
  modelServerQueries,
  parseSelector,
  quantileQuery,
} from './promql';

describe('PromQL builders', () => {
  it('asks for every DCGM field of every GPU in one query', () => {
    expect(gpuFieldsQuery()).toBe(
      '{__name__=~"DCGM_FI_DEV_GPU_UTIL|DCGM_FI_DEV_FB_USED|DCGM_FI_DEV_FB_FREE|DCGM_FI_DEV_POWER_USAGE|DCGM_FI_DEV_GPU_TEMP|DCGM_FI_DEV_SM_CLOCK|DCGM_FI_DEV_XID_ERRORS"}',
    );
    expect(gpuUtilisationAvgQuery('30m')).toBe(
      'avg_over_time(DCGM_FI_DEV_GPU_UTIL[30m])',
    );
    expect(() => gpuUtilisationAvgQuery('30 minutes')).toThrow(
      'not a Prometheus duration',
    );
  });

  it('accepts label matchers only in the annotation', () => {
    expect(
      parseSelector('job="model-server", model_name="llama-3.1-8b-instruct"'),
    ).toBe('job="model-server",model_name="llama-3.1-8b-instruct"');
    expect(parseSelector('model_name=~"llama.*"')).toBe(
      'model_name=~"llama.*"',
    );
    expect(() => parseSelector('job="x"} or vector(1) or {a="b"')).toThrow(
      'label matchers',
    );
    expect(() => parseSelector('')).toThrow();
  });

  it('builds histogram quantiles and one query per figure', () => {
    expect(
      quantileQuery('vllm:time_to_first_token_seconds', 0.95, 'job="m"'),
    ).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket{job="m"}[5m])))',
    );
    const q = modelServerQueries('job="m"');
    expect(q.requestsWaiting).toBe('sum(vllm:num_requests_waiting{job="m"})');
    expect(q.quantiles.split(' or ')).toHaveLength(6);
  });

  it('turns a window into hours in every unit', () => {
    expect(durationHours('30m')).toBe(0.5);
    expect(durationHours('90s')).toBe(0.025);
    expect(durationHours('1800000ms')).toBeCloseTo(0.5, 9);
    expect(durationHours('2d')).toBe(48);
  });
});
