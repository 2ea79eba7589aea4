import type {
  CachedHorizontalPodAutoscaler,
  CachedScaledObject,
} from '@internal/plugin-cluster-health-node';
import type { PartitionLag } from '@internal/plugin-kafka-lag-common';
import { explainScaling, kafkaTriggers, kedaPartitionLag } from './autoscaling';

const NOW = Date.parse('2026-12-03T10:00:00Z');

function scaledObject(
  over: Partial<CachedScaledObject> = {},
  metadata: Record<string, string> = {},
): CachedScaledObject {
  return {
    name: 'ingest',
    namespace: 'ml',
    uid: 'so-1',
    labels: {},
    target: { kind: 'Deployment', name: 'ingest' },
    minReplicas: 1,
    maxReplicas: 10,
    triggers: [
      {
        type: 'kafka',
        metadata: {
          bootstrapServers: 'kafka:9092',
          consumerGroup: 'ingest',
          topic: 'events',
          lagThreshold: '100',
          ...metadata,
        },
      },
    ],
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'Active', status: 'True' },
    ],
    hpaName: 'keda-hpa-ingest',
    ...over,
  };
}

function hpa(
  over: Partial<CachedHorizontalPodAutoscaler> = {},
): CachedHorizontalPodAutoscaler {
  return {
    name: 'keda-hpa-ingest',
    namespace: 'ml',
    uid: 'hpa-1',
    labels: {},
    target: { kind: 'Deployment', name: 'ingest' },
    minReplicas: 1,
    maxReplicas: 10,
    currentReplicas: 3,
    desiredReplicas: 3,
    conditions: [
      { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' },
      { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' },
      { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange' },
    ],
    ...over,
  };
}

/** `lags` per partition of topic `events`; null: never committed (end 1000, log start 200). */
function partitions(lags: (number | null)[], topic = 'events'): PartitionLag[] {
  return lags.map((lag, partition) => ({
    topic,
    partition,
    endOffset: 1000,
    logStartOffset: 200,
    committedOffset: lag === null ? null : 1000 - lag,
    lag,
    lagSeconds: null,
    lagSecondsIsLowerBound: false,
    status: 'OK',
    neverCommitted: lag === null,
    belowLogStart: false,
  }));
}

function explain(
  so: CachedScaledObject,
  parts: PartitionLag[],
  h: CachedHorizontalPodAutoscaler | null = hpa(),
  replicas: number | null = 3,
) {
  const [trigger] = kafkaTriggers(so);
  return explainScaling({
    cluster: 'eks',
    scaledObject: so,
    trigger,
    partitions: parts,
    hpa: h ?? undefined,
    replicas,
    now: NOW,
  });
}

describe('explainScaling', () => {
  it('says partitions bind when the lag asks for more consumers than the topic has partitions', () => {
    // 3 partitions × 1,000 lag at 100 per replica: the lag asks for 30, KEDA caps at 3.
    const result = explain(
      scaledObject({ maxReplicas: 20 }),
      partitions([1000, 1000, 1000]),
    );
    expect(result).toMatchObject({
      lag: 3000,
      partitions: 3,
      lagAsks: 30,
      expectedReplicas: 3,
      bound: 'partitions',
      reason: 'partitions',
    });
    expect(result.sentence).toMatch(/the topic has 3 partitions/);
    expect(result.sentence).toMatch(/asks for 30 replicas/);
  });

  it('lets allowIdleConsumers scale past the partitions, up to maxReplicaCount', () => {
    const result = explain(
      scaledObject({ maxReplicas: 20 }, { allowIdleConsumers: 'true' }),
      partitions([1000, 1000, 1000]),
    );
    expect(result).toMatchObject({
      expectedReplicas: 20,
      reason: 'max-replicas',
    });
    expect(result.sentence).toMatch(/allows 20/);
  });

  it('says maxReplicaCount binds when it is below the partition count', () => {
    const result = explain(
      scaledObject({ maxReplicas: 2 }),
      partitions([1000, 1000, 1000, 1000]),
    );
    expect(result).toMatchObject({
      expectedReplicas: 2,
      reason: 'max-replicas',
    });
  });

  it('counts only the partitions with lag under limitToPartitionsWithLag', () => {
    const result = explain(
      scaledObject({ maxReplicas: 20 }, { limitToPartitionsWithLag: 'true' }),
      partitions([2000, 0, 0, 0]),
    );
    expect(result).toMatchObject({
      partitionsWithLag: 1,
      expectedReplicas: 1,
      reason: 'partitions',
    });
    expect(result.sentence).toMatch(/only 1 partitions have lag/);
  });

  it('counts never-committed partitions as KEDA does for each offsetResetPolicy', () => {
    const [p] = partitions([null]);
    const [latest] = kafkaTriggers(scaledObject());
    const [earliest] = kafkaTriggers(
      scaledObject({}, { offsetResetPolicy: 'earliest' }),
    );
    const [zero] = kafkaTriggers(
      scaledObject({}, { scaleToZeroOnInvalidOffset: 'true' }),
    );
    expect(kedaPartitionLag(p, latest)).toBe(1);
    expect(kedaPartitionLag(p, earliest)).toBe(800);
    expect(kedaPartitionLag(p, zero)).toBe(0);
  });

  it('only counts the trigger topic', () => {
    const result = explain(scaledObject(), [
      ...partitions([300]),
      ...partitions([5000], 'other'),
    ]);
    expect(result).toMatchObject({ lag: 300, partitions: 1 });
  });

  it('says paused, with the replicas, for the paused-replicas annotation, before anything else', () => {
    const result = explain(
      scaledObject({
        pausedAnnotation: { pausedReplicas: '2' },
        conditions: [
          { type: 'Ready', status: 'False', reason: 'ScaledObjectCheckFailed' },
        ],
      }),
      partitions([1000, 1000, 1000]),
    );
    expect(result.reason).toBe('paused');
    expect(result.sentence).toMatch(/paused at 2 replicas/);
  });

  it('says paused for the Paused condition alone', () => {
    const result = explain(
      scaledObject({
        conditions: [
          { type: 'Paused', status: 'True', reason: 'ScaledObjectPaused' },
        ],
      }),
      partitions([10]),
    );
    expect(result.reason).toBe('paused');
  });

  it('passes on why KEDA cannot use the ScaledObject', () => {
    const result = explain(
      scaledObject({
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'ScaledObjectCheckFailed',
            message: 'error parsing kafka metadata: no bootstrapServers given',
          },
        ],
      }),
      partitions([10]),
    );
    expect(result.reason).toBe('not-ready');
    expect(result.sentence).toMatch(/no bootstrapServers given/);
  });

  it('names the fallback replicas', () => {
    const result = explain(
      scaledObject({
        fallbackReplicas: 4,
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'Fallback', status: 'True', reason: 'FallbackExists' },
        ],
      }),
      partitions([10]),
    );
    expect(result.reason).toBe('fallback');
    expect(result.sentence).toMatch(/fallback of 4 replicas/);
  });

  it('says inactive at zero while the lag is not above the activation threshold', () => {
    const result = explain(
      scaledObject(
        { minReplicas: 0, lastActiveTime: '2026-12-03T09:58:00Z' },
        { activationLagThreshold: '50' },
      ),
      partitions([20, 30]),
      hpa({ currentReplicas: 1, desiredReplicas: 1 }),
      1,
    );
    expect(result).toMatchObject({
      active: false,
      expectedReplicas: 0,
      reason: 'inactive',
    });
    expect(result.sentence).toMatch(/not above the activation threshold of 50/);
    // Last active 2 min ago, cooldown 300 s: down to 0 at 10:03.
    expect(result.sentence).toMatch(/2026-12-03T10:03:00.000Z/);
  });

  it('is active one message above the activation threshold', () => {
    const result = explain(
      scaledObject({ minReplicas: 0 }, { activationLagThreshold: '50' }),
      partitions([51]),
      hpa({ currentReplicas: 1, desiredReplicas: 1 }),
      1,
    );
    expect(result).toMatchObject({ active: true, expectedReplicas: 1 });
    expect(result.reason).toBe('as-asked');
  });

  it('says when the HPA cannot read the metric, whatever the lag asks', () => {
    const result = explain(
      scaledObject({ maxReplicas: 20 }),
      partitions([1000, 1000, 1000]),
      hpa({
        currentReplicas: 1,
        desiredReplicas: 1,
        conditions: [
          {
            type: 'ScalingActive',
            status: 'False',
            reason: 'FailedGetExternalMetric',
            message: 'unable to get external metric ml/s0-kafka-events',
          },
        ],
      }),
      1,
    );
    expect(result.reason).toBe('hpa-metrics');
    expect(result.sentence).toMatch(/FailedGetExternalMetric/);
    expect(result.sentence).toMatch(/stays at 1 replica;/);
    // What binds next is said too: 30 asked, 3 partitions.
    expect(result.bound).toBe('partitions');
    expect(result.sentence).toMatch(/once it can, partitions bind at 3\.$/);
  });

  it('names what binds next when the HPA cannot read the metric and only maxReplicaCount would bind', () => {
    const result = explain(
      scaledObject({ maxReplicas: 2 }),
      partitions([1000, 1000, 1000, 1000]),
      hpa({
        conditions: [
          {
            type: 'ScalingActive',
            status: 'False',
            reason: 'FailedGetExternalMetric',
          },
        ],
      }),
      1,
    );
    expect(result).toMatchObject({
      reason: 'hpa-metrics',
      bound: 'max-replicas',
    });
    expect(result.sentence).toMatch(
      /once it can, maxReplicaCount binds at 2\.$/,
    );
  });

  it('says when KEDA has not made the HPA', () => {
    const result = explain(scaledObject(), partitions([1000]), null);
    expect(result.reason).toBe('no-hpa');
    expect(result.hpa).toBeUndefined();
    // 10 asked, one partition, nothing said about a later bound but the partitions.
    expect(result.sentence).toMatch(/partitions bind at 1\.$/);
  });

  it('says minReplicaCount binds when the lag needs fewer', () => {
    const result = explain(
      scaledObject({ minReplicas: 3 }),
      partitions([50, 0, 0]),
    );
    expect(result).toMatchObject({
      expectedReplicas: 3,
      reason: 'min-replicas',
    });
  });

  it('says scaling while the HPA asks for a different count than runs', () => {
    const result = explain(
      scaledObject(),
      partitions([100, 100, 100, 100, 100, 100]),
      hpa({ currentReplicas: 3, desiredReplicas: 6 }),
      3,
    );
    expect(result.reason).toBe('scaling');
    expect(result.sentence).toMatch(/asks for 6 replicas, 3 now/);
  });

  it('says scaled as asked when nothing binds', () => {
    const result = explain(scaledObject(), partitions([100, 100, 100]));
    expect(result).toMatchObject({
      lagAsks: 3,
      expectedReplicas: 3,
      reason: 'as-asked',
    });
  });

  it("reads KEDA's defaults when the trigger leaves them out", () => {
    const [t] = kafkaTriggers(
      scaledObject({}, { lagThreshold: '', offsetResetPolicy: '' }),
    );
    expect(t).toMatchObject({
      lagThreshold: 10,
      activationLagThreshold: 0,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
    });
  });
});
