import { LoggerService } from '@backstage/backend-plugin-api';
import { KubeConfig } from '@kubernetes/client-node';
import {
  ApiServerVersion,
  ControlPlanePartState,
  ControlPlaneView,
  HealthCheck,
  HealthEndpointView,
  LeaderLeaseView,
} from '@internal/plugin-cluster-health-common';
import { KubeRequestError, withoutUrls } from './errors';
import { getText } from './Informer';

/** The components whose leader Lease (kube-system/<name>) the view reads. */
export const LEADER_COMPONENTS = ['kube-scheduler', 'kube-controller-manager'];

/** What the portal's identity needs for each part, named in a 403's message. */
const RBAC_NEEDED = {
  readyz: 'get on the nonResourceURL /readyz',
  livez: 'get on the nonResourceURL /livez',
  version: 'get on the nonResourceURL /version',
  leases: 'get on leases (coordination.k8s.io) in kube-system',
};

/**
 * Parses the text of `/readyz?verbose` or `/livez?verbose`: one line per check,
 * `[+]name ok` or `[-]name failed: reason`, then `readyz check passed` / `... failed`.
 */
export function parseHealthChecks(text: string): HealthCheck[] {
  const checks: HealthCheck[] = [];
  for (const line of text.split('\n')) {
    const match = /^\[([+-])\](\S+)\s*(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, sign, name, rest] = match;
    if (sign === '+') checks.push({ name, ok: true });
    else {
      const message = rest.replace(/^failed:?\s*/, '').trim();
      checks.push({ name, ok: false, message: message || undefined });
    }
  }
  return checks;
}

interface LeaseRead {
  component: string;
  state: ControlPlanePartState;
  holder?: string;
  renewedAt?: string;
  leaseDurationSeconds?: number;
  readAt?: string;
  error?: string;
}

interface Snapshot {
  probedAt?: string;
  lastSuccessAt?: string;
  error?: string;
  version?: ApiServerVersion;
  versionState: ControlPlanePartState;
  versionError?: string;
  readyz: HealthEndpointView;
  livez: HealthEndpointView;
  leases: LeaseRead[];
}

const unknownEndpoint = (endpoint: 'readyz' | 'livez'): HealthEndpointView => ({
  endpoint,
  state: 'unknown',
  checks: [],
});

/**
 * Polls one cluster's control plane: `/readyz?verbose`, `/livez?verbose`, `/version` and the
 * leader Leases of kube-scheduler and kube-controller-manager. Keeps the last answer of each
 * part: when the API server cannot be reached, the view keeps those figures and says it is
 * stale. Whether a Lease is stale (its renewal older than its duration) is judged when the
 * view is asked for, so a stopped leader shows within its lease duration even between probes.
 */
export class ControlPlaneProbe {
  private snapshot: Snapshot = {
    versionState: 'unknown',
    readyz: unknownEndpoint('readyz'),
    livez: unknownEndpoint('livez'),
    leases: LEADER_COMPONENTS.map(component => ({
      component,
      state: 'unknown',
    })),
  };
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly options: {
      clusterName: string;
      kubeConfig: KubeConfig;
      logger: LoggerService;
      intervalSeconds: number;
      credentialsHint?: string;
    },
  ) {}

  /** Probes once now, then every interval; resolves after the first probe. */
  start(): Promise<void> {
    const first = this.probe();
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(async () => {
        await this.probe();
        tick();
      }, this.options.intervalSeconds * 1000);
      this.timer.unref?.();
    };
    return first.then(tick);
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One probe of every part (concurrent probes share one run). */
  probe(): Promise<void> {
    this.running ??= this.probeOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async probeOnce() {
    const { kubeConfig, logger, clusterName } = this.options;
    const now = new Date().toISOString();
    const previous = this.snapshot;
    const [readyz, livez, version, ...leases] = await Promise.allSettled([
      getText(kubeConfig, '/readyz', { verbose: 'true' }),
      getText(kubeConfig, '/livez', { verbose: 'true' }),
      getText(kubeConfig, '/version', {}, 'application/json'),
      ...LEADER_COMPONENTS.map(c =>
        getText(
          kubeConfig,
          `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${c}`,
          {},
          'application/json',
        ),
      ),
    ]);
    // Nothing answered: the API server is unreachable. Keep every figure, mark them stale.
    const all = [readyz, livez, version, ...leases];
    if (all.every(r => r.status === 'rejected')) {
      const error = withoutUrls(
        ((readyz as PromiseRejectedResult).reason as Error).message,
      );
      if (!previous.error) {
        logger.warn('control plane probe: the API server did not answer', {
          cluster: clusterName,
          url: kubeConfig.getCurrentCluster()?.server,
          error,
        });
      }
      this.snapshot = { ...previous, probedAt: now, error };
      return;
    }
    if (previous.error) {
      logger.info('control plane probe: the API server answers again', {
        cluster: clusterName,
      });
    }
    this.snapshot = {
      probedAt: now,
      lastSuccessAt: now,
      readyz: this.endpoint('readyz', readyz, previous.readyz, now),
      livez: this.endpoint('livez', livez, previous.livez, now),
      ...this.version(version, previous),
      leases: LEADER_COMPONENTS.map((component, i) =>
        this.lease(component, leases[i], previous.leases[i], now),
      ),
    };
  }

  private failure(
    status: number,
    body: string,
    part: keyof typeof RBAC_NEEDED,
  ): { state: ControlPlanePartState; error: string } {
    let message = body.trim().slice(0, 300);
    try {
      message = JSON.parse(body).message ?? message;
    } catch {
      // plain text
    }
    if (status === 403) {
      return {
        state: 'forbidden',
        error: `the portal's identity may not read this (403): it needs ${RBAC_NEEDED[part]}`,
      };
    }
    if (status === 401) {
      return {
        state: 'error',
        error: `401 ${withoutUrls(message)}: ${
          this.options.credentialsHint ??
          "the cluster's credentials are not accepted"
        }`,
      };
    }
    if (status === 404) {
      return { state: 'missing', error: withoutUrls(`404 ${message}`) };
    }
    return { state: 'error', error: withoutUrls(`${status} ${message}`) };
  }

  private endpoint(
    endpoint: 'readyz' | 'livez',
    result: PromiseSettledResult<Awaited<ReturnType<typeof getText>>>,
    previous: HealthEndpointView,
    now: string,
  ): HealthEndpointView {
    if (result.status === 'rejected') {
      return {
        ...previous,
        error: withoutUrls((result.reason as KubeRequestError).message),
      };
    }
    const { status, body } = result.value;
    const checks = parseHealthChecks(body);
    // 200: all passed; 500 with checks: some failed (the body still lists them all).
    if (status === 200 || (status === 500 && checks.length > 0)) {
      const failing = checks.some(c => !c.ok) || status !== 200;
      return {
        endpoint,
        state: failing ? 'failing' : 'ok',
        checks,
        readAt: now,
      };
    }
    return { endpoint, checks: [], ...this.failure(status, body, endpoint) };
  }

  private version(
    result: PromiseSettledResult<Awaited<ReturnType<typeof getText>>>,
    previous: Snapshot,
  ): Pick<Snapshot, 'version' | 'versionState' | 'versionError'> {
    if (result.status === 'rejected') {
      return {
        version: previous.version,
        versionState: previous.versionState,
        versionError: withoutUrls((result.reason as Error).message),
      };
    }
    const { status, body } = result.value;
    if (status === 200) {
      try {
        const v = JSON.parse(body);
        return {
          version: {
            gitVersion: String(v.gitVersion),
            platform: v.platform,
            goVersion: v.goVersion,
            buildDate: v.buildDate,
          },
          versionState: 'ok',
        };
      } catch {
        return {
          versionState: 'error',
          versionError: 'not a version document',
        };
      }
    }
    const { state, error } = this.failure(status, body, 'version');
    return { versionState: state, versionError: error };
  }

  private lease(
    component: string,
    result: PromiseSettledResult<Awaited<ReturnType<typeof getText>>>,
    previous: LeaseRead,
    now: string,
  ): LeaseRead {
    if (result.status === 'rejected') {
      return {
        ...previous,
        error: withoutUrls((result.reason as Error).message),
      };
    }
    const { status, body } = result.value;
    if (status === 200) {
      try {
        const spec = JSON.parse(body).spec ?? {};
        return {
          component,
          state: 'ok',
          holder: spec.holderIdentity || undefined,
          renewedAt: spec.renewTime ?? spec.acquireTime,
          leaseDurationSeconds: spec.leaseDurationSeconds,
          readAt: now,
        };
      } catch {
        return { component, state: 'error', error: 'not a Lease document' };
      }
    }
    if (status === 404) {
      return {
        component,
        state: 'missing',
        readAt: now,
        error: `no Lease kube-system/${component}: ${component} runs without leader election, or has never started`,
      };
    }
    return { component, ...this.failure(status, body, 'leases') };
  }

  /** The view, with each Lease judged against `at` (default now). */
  view(at: Date = new Date()): ControlPlaneView {
    const s = this.snapshot;
    const stale = Boolean(s.error);
    const leases = s.leases.map(l => judgeLease(l, stale, at));
    const problems: string[] = [];
    if (stale) {
      problems.push(
        `the API server did not answer the last probe (${s.error})${
          s.lastSuccessAt
            ? `; figures are from ${s.lastSuccessAt}`
            : '; nothing was read yet'
        }`,
      );
    }
    for (const endpoint of [s.readyz, s.livez]) {
      const failed = endpoint.checks.filter(c => !c.ok);
      for (const check of failed) {
        problems.push(
          `${endpoint.endpoint} check ${check.name} is failing${
            check.message ? `: ${check.message}` : ''
          }`,
        );
      }
      if (endpoint.state === 'failing' && failed.length === 0) {
        problems.push(
          `${endpoint.endpoint} reports the API server not healthy`,
        );
      }
      if (['forbidden', 'error', 'missing'].includes(endpoint.state)) {
        problems.push(`/${endpoint.endpoint}: ${endpoint.error}`);
      }
    }
    if (['forbidden', 'error'].includes(s.versionState)) {
      problems.push(`/version: ${s.versionError}`);
    }
    for (const lease of leases) {
      if (lease.state !== 'ok' && lease.message) problems.push(lease.message);
    }
    const parts = [
      s.readyz.state,
      s.livez.state,
      s.versionState,
      ...leases.map(l => l.state),
    ];
    let status: ControlPlaneView['status'];
    if (!s.lastSuccessAt) status = s.error ? 'down' : 'unknown';
    else if (stale) status = 'down';
    else if (parts.every(p => p === 'ok')) status = 'ok';
    else status = 'degraded';
    return {
      cluster: this.options.clusterName,
      status,
      stale,
      probedAt: s.probedAt,
      lastSuccessAt: s.lastSuccessAt,
      error: s.error,
      version: s.version,
      versionState: s.versionState,
      versionError: s.versionError,
      readyz: s.readyz,
      livez: s.livez,
      leases,
      problems,
    };
  }
}

/**
 * A Lease as the view shows it: stale when its last renewal is older than its duration, as
 * seen at `at` — or, when the API server could not be asked, as seen when it was last read.
 */
export function judgeLease(
  lease: LeaseRead,
  probeStale: boolean,
  at: Date,
): LeaderLeaseView {
  const base: LeaderLeaseView = {
    component: lease.component,
    state: lease.state,
    holder: lease.holder,
    renewedAt: lease.renewedAt,
    leaseDurationSeconds: lease.leaseDurationSeconds,
    readAt: lease.readAt,
    stale: false,
    error: lease.error,
  };
  if (lease.state !== 'ok') {
    return {
      ...base,
      message:
        lease.state === 'unknown'
          ? undefined
          : `${lease.component}'s leader Lease: ${lease.error}`,
    };
  }
  if (!lease.holder) {
    return {
      ...base,
      state: 'failing',
      stale: true,
      message: `${lease.component} has no leader: its Lease kube-system/${lease.component} is held by nobody (the leader released it when it stopped, and no other instance took it)`,
    };
  }
  const evaluatedAt =
    probeStale && lease.readAt
      ? new Date(lease.readAt).getTime()
      : at.getTime();
  const renewed = lease.renewedAt ? Date.parse(lease.renewedAt) : NaN;
  const age = Number.isNaN(renewed)
    ? undefined
    : Math.max(0, Math.round((evaluatedAt - renewed) / 1000));
  const duration = lease.leaseDurationSeconds ?? 15;
  if (age === undefined) {
    return {
      ...base,
      state: 'failing',
      message: `${lease.component}'s Lease has no renewal time`,
    };
  }
  if (age > duration) {
    return {
      ...base,
      ageSeconds: age,
      state: 'failing',
      stale: true,
      message: `${lease.component}'s leader ${lease.holder} last renewed its Lease ${age} s ago, past its ${duration} s lease duration: ${lease.component} is not running or cannot reach the API server`,
    };
  }
  return {
    ...base,
    ageSeconds: age,
    message: `${lease.holder} leads (renewed ${age} s ago)`,
  };
}
