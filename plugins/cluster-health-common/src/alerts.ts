/*
 * Alerts from each cluster's Alertmanager, as the cluster health backend serves them
 * (GET /alerts for every cluster, GET /entity/alerts for one entity).
 */

/** firing: active and not suppressed; silenced / inhibited: active, but suppressed so. */
export type AlertState = 'firing' | 'silenced' | 'inhibited';

export interface PortalAlert {
  fingerprint: string;
  /** The alertname label. */
  name: string;
  severity?: string;
  state: AlertState;
  /** annotations.summary, else annotations.description. */
  summary?: string;
  description?: string;
  labels: Record<string, string>;
  startsAt: string;
  /** The ids of the silences that hold it. */
  silencedBy: string[];
  /** Alertmanager's page of this alert (its labels as the filter), and the rule's expression in Prometheus. */
  alertmanagerUrl: string;
  generatorUrl?: string;
  /** Why it is shown for the entity: the workload it names, or the entity's alert selector. */
  matchedBy?: string;
}

export interface ClusterAlerts {
  cluster: string;
  /**
   * ok: read just now; unreachable: the Alertmanager did not answer (message says why and
   * which key); not-configured: no Alertmanager under clusterHealth.alertmanagers for it.
   */
  status: 'ok' | 'unreachable' | 'not-configured';
  message?: string;
  /** Alertmanager's UI, for links. */
  alertmanagerUrl?: string;
  alerts: PortalAlert[];
}

export interface EntityAlerts {
  entityRef: string;
  /** The entity's ml-platform.io/alert-selector, when it has one. */
  selector?: string;
  clusters: ClusterAlerts[];
}
