/*
 * The control plane view (`GET /clusters/:cluster/control-plane`): what the API server says of
 * itself (`/readyz?verbose`, `/livez?verbose`, `/version`) and the leader Leases of the
 * scheduler and the controller-manager in kube-system. Probed by the backend every
 * `clusterHealth.controlPlane.intervalSeconds`; when a probe fails, the last answers are kept
 * and the view is marked stale.
 */

/** One named check of `/readyz?verbose` or `/livez?verbose` (`[+]etcd ok`, `[-]etcd failed: ...`). */
export interface HealthCheck {
  name: string;
  ok: boolean;
  /** What the API server said of a failing check ("reason withheld" unless it says more). */
  message?: string;
}

/**
 * How one part of the control plane view was read:
 * - `ok`: read, and all is well
 * - `failing`: read, and something is wrong (a check failed, a lease is stale or unheld)
 * - `forbidden`: the portal's identity may not read it (403); `error` names the RBAC it needs
 * - `missing`: the API server has no such object (e.g. no Lease: leader election is off)
 * - `error`: could not be read (unreachable, timeout, an unexpected answer)
 * - `unknown`: not probed yet
 */
export type ControlPlanePartState =
  | 'ok'
  | 'failing'
  | 'forbidden'
  | 'missing'
  | 'error'
  | 'unknown';

export interface HealthEndpointView {
  endpoint: 'readyz' | 'livez';
  state: ControlPlanePartState;
  /** The checks of the last successful read, in the API server's order. */
  checks: HealthCheck[];
  /** ISO time the figures were read. */
  readAt?: string;
  error?: string;
}

export interface LeaderLeaseView {
  /** `kube-scheduler` or `kube-controller-manager`: the component and its Lease's name. */
  component: string;
  state: ControlPlanePartState;
  /** `holderIdentity` of the Lease: the instance that leads. */
  holder?: string;
  /** ISO time of the holder's last renewal. */
  renewedAt?: string;
  leaseDurationSeconds?: number;
  /** Seconds between the last renewal and the time the view was evaluated. */
  ageSeconds?: number;
  /** The renewal is older than the lease duration: the leader stopped renewing. */
  stale: boolean;
  readAt?: string;
  /** In words: why the state is not ok, or who leads. */
  message?: string;
  error?: string;
}

export interface ApiServerVersion {
  gitVersion: string;
  platform?: string;
  goVersion?: string;
  buildDate?: string;
}

export interface ControlPlaneView {
  cluster: string;
  /** ok: every part read and well; degraded: something failing or unreadable; down: nothing read. */
  status: 'ok' | 'degraded' | 'down' | 'unknown';
  /**
   * The last probe could not reach the API server: every figure is from `lastSuccessAt` and
   * may be out of date.
   */
  stale: boolean;
  /** ISO time of the last probe, and of the last one that reached the API server. */
  probedAt?: string;
  lastSuccessAt?: string;
  /** Why the last probe failed, when it did. */
  error?: string;
  version?: ApiServerVersion;
  versionState: ControlPlanePartState;
  versionError?: string;
  readyz: HealthEndpointView;
  livez: HealthEndpointView;
  leases: LeaderLeaseView[];
  /** Every problem in words, one sentence each, naming the failing check or component. */
  problems: string[];
}
