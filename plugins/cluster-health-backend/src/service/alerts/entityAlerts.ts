import type {
  ClusterAlerts,
  PortalAlert,
  WorkloadSummary,
} from '@internal/plugin-cluster-health-common';
import { LabelMatcher, matchesAll } from './selector';

/** The labels that name a workload in the usual rules (kube-state-metrics, DCGM, custom). */
const WORKLOAD_LABELS: Record<WorkloadSummary['kind'], string[]> = {
  Deployment: ['deployment', 'workload'],
  StatefulSet: ['statefulset', 'workload'],
  DaemonSet: ['daemonset', 'workload'],
  Job: ['job_name', 'workload'],
};

/** Why an alert belongs to one of these workloads, or undefined. */
function workloadMatch(
  labels: Record<string, string>,
  workloads: WorkloadSummary[],
): string | undefined {
  for (const w of workloads) {
    if (labels.namespace !== w.namespace) continue;
    if (WORKLOAD_LABELS[w.kind].some(l => labels[l] === w.name)) {
      return `${w.kind} ${w.namespace}/${w.name}`;
    }
    if (labels.pod && w.pods.some(p => p.name === labels.pod)) {
      return `pod ${labels.pod} of ${w.kind} ${w.namespace}/${w.name}`;
    }
  }
  return undefined;
}

/**
 * One cluster's alerts narrowed to an entity: those whose namespace and workload (or pod) are
 * the entity's workloads in that cluster, and those its alert selector matches.
 */
export function entityClusterAlerts(
  all: ClusterAlerts,
  workloads: WorkloadSummary[],
  selector?: LabelMatcher[],
): ClusterAlerts {
  const alerts: PortalAlert[] = [];
  for (const alert of all.alerts) {
    const matchedBy =
      workloadMatch(alert.labels, workloads) ??
      (selector && matchesAll(alert.labels, selector)
        ? 'ml-platform.io/alert-selector'
        : undefined);
    if (matchedBy) alerts.push({ ...alert, matchedBy });
  }
  return { ...all, alerts };
}
