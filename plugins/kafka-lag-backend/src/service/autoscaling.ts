import type {
  CachedCondition,
  CachedHorizontalPodAutoscaler,
  CachedScaledObject,
} from '@internal/plugin-cluster-health-node';
import type {
  PartitionLag,
  ScaledObjectScaling,
  ScalingCondition,
  ScalingBound,
  ScalingReason,
} from '@internal/plugin-kafka-lag-common';

/*
 * "Why isn't it scaling?" for one ScaledObject's kafka trigger, from the objects' own status
 * and the group's lag as the Kafka lag plugin sampled it. The arithmetic follows KEDA's Kafka
 * scaler (pkg/scalers/kafka_scaler.go, v2.21):
 * - a partition's lag is end offset - committed offset; a partition the group never committed
 *   on counts 1 with offsetResetPolicy `latest` (0 with scaleToZeroOnInvalidOffset), and its
 *   retained messages (end - log start) with `earliest`;
 * - the metric is the total lag, capped at partitions × lagThreshold unless allowIdleConsumers
 *   (with limitToPartitionsWithLag: partitions that have lag × lagThreshold);
 * - the ScaledObject is active while the total lag is above activationLagThreshold;
 * - the HPA targets an average of lagThreshold per replica: ceil(metric / lagThreshold),
 *   between max(1, minReplicaCount) and maxReplicaCount; at 0, KEDA itself activates 0 → 1 and
 *   scales back to 0 cooldownPeriod after the last activity.
 */

const KEDA_DEFAULTS = {
  lagThreshold: 10,
  activationLagThreshold: 0,
  pollingIntervalSeconds: 30,
  cooldownPeriodSeconds: 300,
  minReplicas: 0,
  maxReplicas: 100,
};

export interface KafkaTrigger {
  index: number;
  name?: string;
  bootstrapServers: string[];
  consumerGroup: string;
  topic?: string;
  lagThreshold: number;
  activationLagThreshold: number;
  allowIdleConsumers: boolean;
  limitToPartitionsWithLag: boolean;
  scaleToZeroOnInvalidOffset: boolean;
  offsetResetPolicy: 'latest' | 'earliest';
}

const flag = (value: string | undefined) => value?.trim() === 'true';

function whole(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
}

/** The ScaledObject's kafka triggers, their metadata read with KEDA's defaults. */
export function kafkaTriggers(so: CachedScaledObject): KafkaTrigger[] {
  return so.triggers.flatMap((t, index) => {
    if (t.type !== 'kafka') return [];
    const m = t.metadata;
    const threshold = whole(m.lagThreshold, KEDA_DEFAULTS.lagThreshold);
    return [
      {
        index,
        name: t.name,
        bootstrapServers: (m.bootstrapServers ?? '')
          .split(',')
          .map(s => s.trim())
          .filter(Boolean),
        consumerGroup: m.consumerGroup ?? '',
        topic: m.topic?.trim() || undefined,
        // KEDA rejects 0; a 0 here would divide by zero.
        lagThreshold: threshold > 0 ? threshold : KEDA_DEFAULTS.lagThreshold,
        activationLagThreshold: whole(
          m.activationLagThreshold,
          KEDA_DEFAULTS.activationLagThreshold,
        ),
        allowIdleConsumers: flag(m.allowIdleConsumers),
        limitToPartitionsWithLag: flag(m.limitToPartitionsWithLag),
        scaleToZeroOnInvalidOffset: flag(m.scaleToZeroOnInvalidOffset),
        offsetResetPolicy:
          m.offsetResetPolicy === 'earliest' ? 'earliest' : 'latest',
      },
    ];
  });
}

/** A partition's lag as KEDA's Kafka scaler counts it. */
export function kedaPartitionLag(p: PartitionLag, t: KafkaTrigger): number {
  if (p.committedOffset === null) {
    if (t.scaleToZeroOnInvalidOffset) return 0;
    return t.offsetResetPolicy === 'latest'
      ? 1
      : Math.max(0, p.endOffset - p.logStartOffset);
  }
  return Math.max(0, p.endOffset - p.committedOffset);
}

const condition = (conditions: CachedCondition[], type: string) =>
  conditions.find(c => c.type === type);

const plain = (c: CachedCondition): ScalingCondition => ({
  type: c.type,
  status: c.status,
  reason: c.reason,
  message: c.message,
});

const detail = (c: CachedCondition | undefined) =>
  [c?.reason, c?.message].filter(Boolean).join(': ') || 'no reason given';

/** Why KEDA does not scale it, when paused: an annotation or the Paused condition. */
function pausedWords(so: CachedScaledObject): string | undefined {
  const replicas = so.pausedAnnotation?.pausedReplicas;
  if (replicas !== undefined) {
    return `paused at ${replicas} replicas by the autoscaling.keda.sh/paused-replicas annotation`;
  }
  if (
    flag(so.pausedAnnotation?.paused) ||
    condition(so.conditions, 'Paused')?.status === 'True'
  ) {
    return 'paused by the autoscaling.keda.sh/paused annotation';
  }
  return undefined;
}

const replicasWord = (n: number) => `${n} replica${n === 1 ? '' : 's'}`;

export interface ExplainInput {
  cluster: string;
  scaledObject: CachedScaledObject;
  trigger: KafkaTrigger;
  /** The group's partitions, as the Kafka lag plugin evaluated them. */
  partitions: PartitionLag[];
  hpa?: CachedHorizontalPodAutoscaler;
  /** The target's spec.replicas; null when the target is not in the cache. */
  replicas: number | null;
  now: number;
}

export function explainScaling(input: ExplainInput): ScaledObjectScaling {
  const { scaledObject: so, trigger: t, hpa, replicas } = input;
  const parts = input.partitions.filter(p => !t.topic || p.topic === t.topic);
  const lags = parts.map(p => kedaPartitionLag(p, t));
  const lag = lags.reduce((a, b) => a + b, 0);
  const partitionsWithLag = lags.filter(l => l > 0).length;

  const minReplicas = so.minReplicas ?? KEDA_DEFAULTS.minReplicas;
  const maxReplicas = so.maxReplicas ?? KEDA_DEFAULTS.maxReplicas;
  const cooldownPeriodSeconds =
    so.cooldownPeriodSeconds ?? KEDA_DEFAULTS.cooldownPeriodSeconds;

  // The metric KEDA reports, capped at the partitions a consumer could be given.
  const capsPartitions = !t.allowIdleConsumers || t.limitToPartitionsWithLag;
  const partitionCap = t.limitToPartitionsWithLag
    ? partitionsWithLag
    : parts.length;
  let metric = lag;
  if (capsPartitions && Math.floor(lag / t.lagThreshold) > partitionCap) {
    metric = partitionCap * t.lagThreshold;
  }
  const lagAsks = Math.ceil(lag / t.lagThreshold);
  const metricAsks = Math.ceil(metric / t.lagThreshold);
  const active = lag > t.activationLagThreshold;
  const hpaMin = Math.max(1, minReplicas);
  const expectedReplicas =
    !active && minReplicas === 0
      ? so.idleReplicas ?? 0
      : Math.min(maxReplicas, Math.max(hpaMin, metricAsks));

  // What bounds expectedReplicas, whatever KEDA and the HPA do now.
  let bound: ScalingBound = 'lag';
  if (metricAsks < lagAsks && partitionCap <= maxReplicas) bound = 'partitions';
  else if (metricAsks > maxReplicas) bound = 'max-replicas';
  else if (metricAsks < hpaMin) bound = 'min-replicas';
  const partitionWords = t.limitToPartitionsWithLag
    ? `only ${partitionCap} partitions have lag (limitToPartitionsWithLag)`
    : `the topic has ${partitionCap} partitions and KEDA does not scale past that without allowIdleConsumers`;
  // What the HPA would settle on once it reads the metric, for the reasons that stop it now.
  const onceWords: Partial<Record<ScalingBound, string>> = {
    partitions: `; once it can, partitions bind at ${partitionCap}`,
    'max-replicas': `; once it can, maxReplicaCount binds at ${maxReplicas}`,
  };
  const once = onceWords[bound] ?? '';

  const paused = pausedWords(so);

  const current = replicas ?? hpa?.currentReplicas ?? 0;
  const lagWords = `lag ${lag.toLocaleString('en-US')}`;
  const { reason, sentence } = ((): {
    reason: ScalingReason;
    sentence: string;
  } => {
    if (paused) {
      return {
        reason: 'paused',
        sentence: `KEDA does not scale it: ${paused}; remove the annotation to resume.`,
      };
    }
    const ready = condition(so.conditions, 'Ready');
    if (ready?.status === 'False') {
      return {
        reason: 'not-ready',
        sentence: `KEDA cannot use this ScaledObject (Ready is False: ${detail(
          ready,
        )}).`,
      };
    }
    const fallback = condition(so.conditions, 'Fallback');
    if (fallback?.status === 'True') {
      return {
        reason: 'fallback',
        sentence: `KEDA's scaler keeps failing, so it holds the fallback of ${replicasWord(
          so.fallbackReplicas ?? current,
        )} (${detail(fallback)}).`,
      };
    }
    if (!active && minReplicas === 0) {
      const last = so.lastActiveTime ? Date.parse(so.lastActiveTime) : NaN;
      const until = last + cooldownPeriodSeconds * 1000;
      const cooling =
        current > 0 && Number.isFinite(until) && until > input.now
          ? ` It scales to 0 after the cooldown of ${cooldownPeriodSeconds} s, at ${new Date(
              until,
            ).toISOString()}.`
          : '';
      return {
        reason: 'inactive',
        sentence: `The ${lagWords} is not above the activation threshold of ${
          t.activationLagThreshold
        }, so KEDA keeps it inactive at ${replicasWord(
          expectedReplicas,
        )}.${cooling}`,
      };
    }
    if (!hpa) {
      return {
        reason: 'no-hpa',
        sentence: `KEDA has not made its HorizontalPodAutoscaler${
          so.hpaName ? ` ${so.hpaName}` : ''
        } (or the portal cannot see it): only KEDA's own 0 → 1 activation can scale it${once}.`,
      };
    }
    const scalingActive = condition(hpa.conditions, 'ScalingActive');
    // ScalingDisabled: the target is at 0, which KEDA's activation (above) decides, not the HPA.
    if (
      scalingActive?.status === 'False' &&
      scalingActive.reason !== 'ScalingDisabled'
    ) {
      return {
        reason: 'hpa-metrics',
        sentence: `The HPA ${hpa.name} cannot read KEDA's lag metric (${detail(
          scalingActive,
        )}), so it stays at ${replicasWord(
          hpa.currentReplicas,
        )}; the lag asks for ${lagAsks}${once}.`,
      };
    }
    if (bound === 'partitions') {
      return {
        reason: 'partitions',
        sentence: `Partitions bind: the ${lagWords} asks for ${lagAsks} replicas at ${t.lagThreshold} per replica, but ${partitionWords}.`,
      };
    }
    if (bound === 'max-replicas') {
      return {
        reason: 'max-replicas',
        sentence: `maxReplicaCount binds: the ${lagWords} asks for ${lagAsks} replicas at ${t.lagThreshold} per replica, and the ScaledObject allows ${maxReplicas}.`,
      };
    }
    if (bound === 'min-replicas') {
      return {
        reason: 'min-replicas',
        sentence: `minReplicaCount binds: the ${lagWords} needs ${replicasWord(
          metricAsks,
        )} at ${t.lagThreshold} per replica, and the minimum is ${hpaMin}.`,
      };
    }
    const limited = condition(hpa.conditions, 'ScalingLimited');
    if (limited?.status === 'True') {
      return {
        reason: 'hpa-limited',
        sentence: `The HPA ${hpa.name} limits the change (${detail(
          limited,
        )}): ${hpa.currentReplicas} now, ${hpa.desiredReplicas} desired.`,
      };
    }
    if (hpa.desiredReplicas !== current) {
      return {
        reason: 'scaling',
        sentence: `Scaling: the HPA ${hpa.name} asks for ${replicasWord(
          hpa.desiredReplicas,
        )}, ${current} now.`,
      };
    }
    return {
      reason: 'as-asked',
      sentence: `Scaled as the lag asks: ${replicasWord(
        current,
      )} for the ${lagWords} at ${t.lagThreshold} per replica.`,
    };
  })();

  return {
    cluster: input.cluster,
    namespace: so.namespace,
    name: so.name,
    target: {
      kind: so.target.kind ?? 'Deployment',
      name: so.target.name,
    },
    replicas,
    trigger: {
      name: t.name,
      topic: t.topic,
      lagThreshold: t.lagThreshold,
      activationLagThreshold: t.activationLagThreshold,
      allowIdleConsumers: t.allowIdleConsumers,
      limitToPartitionsWithLag: t.limitToPartitionsWithLag,
      offsetResetPolicy: t.offsetResetPolicy,
    },
    lag,
    partitions: parts.length,
    partitionsWithLag,
    lagAsks,
    expectedReplicas,
    bound,
    active,
    minReplicas,
    maxReplicas,
    idleReplicas: so.idleReplicas,
    cooldownPeriodSeconds,
    pollingIntervalSeconds:
      so.pollingIntervalSeconds ?? KEDA_DEFAULTS.pollingIntervalSeconds,
    lastActiveTime: so.lastActiveTime,
    paused,
    conditions: so.conditions.map(plain),
    hpa: hpa && {
      name: hpa.name,
      minReplicas: hpa.minReplicas,
      maxReplicas: hpa.maxReplicas,
      currentReplicas: hpa.currentReplicas,
      desiredReplicas: hpa.desiredReplicas,
      lastScaleTime: hpa.lastScaleTime,
      conditions: hpa.conditions.map(plain),
    },
    reason,
    sentence,
  };
}
