/*
 * "Why isn't it scaling?": a consumer group's KEDA ScaledObjects, read beside the group's lag.
 * Served by GET /api/kafka-lag/groups/:cluster/:group/autoscaling.
 */

/** What decides the replica count now, first match wins (see `explainScaling` in the backend). */
export type ScalingReason =
  | 'paused'
  | 'not-ready'
  | 'fallback'
  | 'inactive'
  | 'no-hpa'
  | 'hpa-metrics'
  | 'partitions'
  | 'max-replicas'
  | 'min-replicas'
  | 'hpa-limited'
  | 'scaling'
  | 'as-asked';

/**
 * What bounds `expectedReplicas`, whatever KEDA and the HPA do now: the partitions a consumer
 * can be given, maxReplicaCount, minReplicaCount, or nothing but the lag itself.
 */
export type ScalingBound =
  | 'partitions'
  | 'max-replicas'
  | 'min-replicas'
  | 'lag';

export interface ScalingCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface ScaledObjectScaling {
  /** The Kubernetes cluster (a name of `kubernetes.clusterLocatorMethods`). */
  cluster: string;
  namespace: string;
  /** The ScaledObject's name. */
  name: string;
  target: { kind: string; name: string };
  /** The target's replicas now (spec.replicas of the Deployment or StatefulSet); null: not in the cache. */
  replicas: number | null;
  trigger: {
    name?: string;
    /** The trigger's topic; absent: every topic the group committed on. */
    topic?: string;
    lagThreshold: number;
    activationLagThreshold: number;
    allowIdleConsumers: boolean;
    limitToPartitionsWithLag: boolean;
    offsetResetPolicy: 'latest' | 'earliest';
  };
  /** The lag as KEDA's Kafka scaler counts it (never-committed partitions per offsetResetPolicy). */
  lag: number;
  /** Partitions of the trigger's topics, and how many of them have lag. */
  partitions: number;
  partitionsWithLag: number;
  /** ceil(lag / lagThreshold): the replicas the lag alone asks for. */
  lagAsks: number;
  /** What KEDA and the HPA should settle on, every limit applied (with the HPA reading the metric). */
  expectedReplicas: number;
  /** What bounds expectedReplicas (the reason below may be something that stops it first). */
  bound: ScalingBound;
  /** lag > activationLagThreshold: KEDA counts the ScaledObject active. */
  active: boolean;
  minReplicas: number;
  maxReplicas: number;
  idleReplicas?: number;
  cooldownPeriodSeconds: number;
  pollingIntervalSeconds: number;
  lastActiveTime?: string;
  /** The pause annotation's words, when paused. */
  paused?: string;
  /** Ready, Active, Fallback, Paused, as KEDA wrote them. */
  conditions: ScalingCondition[];
  /** The HPA KEDA made; absent when it is not (yet) in the cluster. */
  hpa?: {
    name: string;
    minReplicas: number;
    maxReplicas?: number;
    currentReplicas: number;
    desiredReplicas: number;
    lastScaleTime?: string;
    /** AbleToScale, ScalingActive, ScalingLimited, as the HPA controller wrote them. */
    conditions: ScalingCondition[];
  };
  /** The binding reason, and it in one sentence. */
  reason: ScalingReason;
  sentence: string;
}

export interface GroupScaling {
  cluster: string;
  group: string;
  /** The ScaledObjects whose kafka trigger names this group (consumerGroup, and topic if set). */
  scaledObjects: ScaledObjectScaling[];
  /**
   * Why the list may be incomplete or empty, with the config key to set: no Kubernetes
   * cluster configured, a cluster whose ScaledObjects or HPAs the portal cannot read.
   */
  notices: string[];
}
