import type { Config } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  AlertState,
  ClusterAlerts,
  PortalAlert,
} from '@internal/plugin-cluster-health-common';

/** One entry of `clusterHealth.alertmanagers`. */
export interface AlertmanagerConfig {
  cluster: string;
  /** Where the backend reads Alertmanager's API v2. */
  url: string;
  /** Alertmanager's UI as users reach it, for links; default `url`. */
  externalUrl: string;
  /** The entry's config key, for messages. */
  key: string;
}

export function readAlertmanagers(config: Config): AlertmanagerConfig[] {
  return (
    config.getOptionalConfigArray('clusterHealth.alertmanagers') ?? []
  ).map((entry, i) => {
    const url = entry.getString('url').replace(/\/+$/, '');
    return {
      cluster: entry.getString('cluster'),
      url,
      externalUrl: (entry.getOptionalString('externalUrl') ?? url).replace(
        /\/+$/,
        '',
      ),
      key: `clusterHealth.alertmanagers[${i}]`,
    };
  });
}

/** Alertmanager's API v2 `gettableAlert`, as far as the portal reads it. */
interface GettableAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  generatorURL?: string;
  status: {
    state: 'active' | 'suppressed' | 'unprocessed';
    silencedBy?: string[];
    inhibitedBy?: string[];
  };
}

const REQUEST_TIMEOUT_MS = 5_000;
/** Answers are shared this long between requests (Alertmanager is asked at most this often). */
const FRESH_MS = 5_000;

/** Firing first, then silenced, then inhibited. */
const stateOrder: Record<AlertState, number> = {
  firing: 0,
  silenced: 1,
  inhibited: 2,
};

function alertState(a: GettableAlert): AlertState {
  if ((a.status.silencedBy ?? []).length > 0) return 'silenced';
  if ((a.status.inhibitedBy ?? []).length > 0) return 'inhibited';
  return 'firing';
}

/** Alertmanager's UI filter syntax: `{alertname="X",namespace="ml"}`. */
function filterOf(labels: Record<string, string>) {
  const parts = Object.keys(labels)
    .sort()
    .map(name => `${name}=${JSON.stringify(labels[name])}`);
  return `{${parts.join(',')}}`;
}

/**
 * Reads each cluster's Alertmanager (`clusterHealth.alertmanagers`): active alerts, silenced
 * and inhibited ones included. One that does not answer makes its cluster `unreachable` with
 * the reason and the key to check; the other clusters are unaffected.
 */
export class AlertmanagerReader {
  private readonly byCluster: Map<string, AlertmanagerConfig>;
  private readonly answers = new Map<
    string,
    { at: number; answer: Promise<ClusterAlerts> }
  >();

  constructor(
    alertmanagers: AlertmanagerConfig[],
    private readonly logger: LoggerService,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.byCluster = new Map(alertmanagers.map(a => [a.cluster, a]));
  }

  configured(): boolean {
    return this.byCluster.size > 0;
  }

  /** The alerts of one cluster, `not-configured` when it has no Alertmanager entry. */
  read(cluster: string): Promise<ClusterAlerts> {
    const am = this.byCluster.get(cluster);
    if (!am) {
      return Promise.resolve({
        cluster,
        status: 'not-configured',
        message: `No Alertmanager for cluster ${cluster}: add it under clusterHealth.alertmanagers (cluster, url)`,
        alerts: [],
      });
    }
    const now = Date.now();
    const cached = this.answers.get(cluster);
    if (cached && now - cached.at < FRESH_MS) return cached.answer;
    const answer = this.fetchAlerts(am);
    this.answers.set(cluster, { at: now, answer });
    return answer;
  }

  private async fetchAlerts(am: AlertmanagerConfig): Promise<ClusterAlerts> {
    const query = new URLSearchParams({
      active: 'true',
      silenced: 'true',
      inhibited: 'true',
      unprocessed: 'false',
    });
    let body: GettableAlert[];
    try {
      const res = await this.fetchImpl(`${am.url}/api/v2/alerts?${query}`, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      body = (await res.json()) as GettableAlert[];
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      const reason = [(error as Error).message, cause]
        .filter(Boolean)
        .join(': ');
      this.logger.warn(`Alertmanager of ${am.cluster} unreachable: ${reason}`);
      return {
        cluster: am.cluster,
        status: 'unreachable',
        message: `The Alertmanager of cluster ${am.cluster} did not answer (${reason}); check ${am.key}.url`,
        alertmanagerUrl: am.externalUrl,
        alerts: [],
      };
    }
    const alerts = body
      .filter(a => a.status.state !== 'unprocessed')
      .map(
        (a): PortalAlert => ({
          fingerprint: a.fingerprint,
          name: a.labels.alertname ?? '(no alertname)',
          severity: a.labels.severity,
          state: alertState(a),
          summary: a.annotations?.summary ?? a.annotations?.description,
          description: a.annotations?.summary
            ? a.annotations?.description
            : undefined,
          labels: a.labels,
          startsAt: a.startsAt,
          silencedBy: a.status.silencedBy ?? [],
          alertmanagerUrl: `${
            am.externalUrl
          }/#/alerts?filter=${encodeURIComponent(
            filterOf(a.labels),
          )}&silenced=true&inhibited=true`,
          generatorUrl: a.generatorURL || undefined,
        }),
      )
      .sort(
        (x, y) =>
          stateOrder[x.state] - stateOrder[y.state] ||
          x.name.localeCompare(y.name) ||
          x.startsAt.localeCompare(y.startsAt),
      );
    return {
      cluster: am.cluster,
      status: 'ok',
      alertmanagerUrl: am.externalUrl,
      alerts,
    };
  }
}
