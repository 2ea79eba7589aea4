/*
 * The control plane view against the sandbox's real control plane (`scripts/sandbox up k8s`):
 * kube-apiserver's /readyz and /livez checks, its version, and the leader Leases of
 * kube-scheduler and kube-controller-manager (the sandbox runs both with leader election and a
 * 15 s lease). The scheduler is stopped and started again during the test, through
 * `scripts/sandbox k8s stop-scheduler | start-scheduler`.
 *
 * @sandbox-stops k8s: stops the scheduler of eks-data-platform and starts it again
 */
import { execFileSync } from 'node:child_process';
import {
  ControlPlaneView,
  NodeGroupSummary,
} from '@internal/plugin-cluster-health-common';
import {
  clusterHealthBackend,
  env,
  sandboxCluster,
  sleep,
} from './__testUtils__/backend';

jest.setTimeout(120_000);

const { get, answer } = clusterHealthBackend({
  controlPlaneIntervalSeconds: 1,
  clusters: () => [
    sandboxCluster('eks-data-platform', env.k8s.kubeconfigs.portal),
    sandboxCluster('restricted-view', env.k8s.kubeconfigs.restricted),
  ],
});

const controlPlane = (cluster: string) =>
  get<ControlPlaneView>(`/clusters/${cluster}/control-plane`);

/** Asks until `done` holds or `seconds` pass; returns the last view. */
async function until(
  cluster: string,
  done: (view: ControlPlaneView) => boolean,
  seconds: number,
) {
  const t0 = Date.now();
  let view = await controlPlane(cluster);
  while (!done(view) && Date.now() - t0 < seconds * 1000) {
    await sleep(500);
    view = await controlPlane(cluster);
  }
  return view;
}

const lease = (view: ControlPlaneView, component: string) =>
  view.leases.find(l => l.component === component)!;

describe('control plane', () => {
  it('reads every check, the version and both leader Leases: all ok', async () => {
    const view = await until('eks-data-platform', v => v.status === 'ok', 30);
    expect(view.status).toBe('ok');
    expect(view.stale).toBe(false);
    expect(view.problems).toEqual([]);
    expect(view.version?.gitVersion).toBe('v1.34.4');
    expect(view.readyz.state).toBe('ok');
    expect(view.livez.state).toBe('ok');
    // The checks by name, etcd's among them, each passing.
    const readyChecks = view.readyz.checks.map(c => c.name);
    expect(readyChecks).toEqual(
      expect.arrayContaining(['ping', 'etcd', 'etcd-readiness', 'log']),
    );
    expect(view.readyz.checks.every(c => c.ok)).toBe(true);
    expect(view.livez.checks.map(c => c.name)).toContain('etcd');
    expect(view.leases.map(l => l.component)).toEqual([
      'kube-scheduler',
      'kube-controller-manager',
    ]);
    for (const l of view.leases) {
      expect(l.state).toBe('ok');
      expect(l.stale).toBe(false);
      expect(l.holder).toMatch(/_[0-9a-f-]{36}$/);
      expect(l.leaseDurationSeconds).toBe(15);
      expect(l.ageSeconds).toBeLessThanOrEqual(15);
    }
    // No URL of the cluster in the answer.
    expect(JSON.stringify(view)).not.toContain('127.0.0.1');
  });

  it('names the scheduler when it stops leading, within its lease duration, and clears it when it is back', async () => {
    const before = await until(
      'eks-data-platform',
      v => lease(v, 'kube-scheduler').state === 'ok',
      30,
    );
    expect(lease(before, 'kube-scheduler').state).toBe('ok');
    execFileSync(env.cli, ['k8s', 'stop-scheduler'], { stdio: 'ignore' });
    try {
      // Waited for no longer than the lease duration (15 s) and a probe interval.
      const view = await until(
        'eks-data-platform',
        v => lease(v, 'kube-scheduler').stale,
        17,
      );
      const scheduler = lease(view, 'kube-scheduler');
      expect(scheduler.stale).toBe(true);
      expect(scheduler.state).toBe('failing');
      expect(view.status).toBe('degraded');
      expect(view.problems.join('\n')).toMatch(/kube-scheduler/);
      expect(view.problems.join('\n')).not.toMatch(/kube-controller-manager/);
      // The rest of the control plane is unaffected.
      expect(lease(view, 'kube-controller-manager').state).toBe('ok');
      expect(view.readyz.state).toBe('ok');
    } finally {
      execFileSync(env.cli, ['k8s', 'start-scheduler'], { stdio: 'ignore' });
    }
    const after = await until('eks-data-platform', v => v.status === 'ok', 30);
    expect(lease(after, 'kube-scheduler').state).toBe('ok');
    expect(lease(after, 'kube-scheduler').holder).not.toBe(
      lease(before, 'kube-scheduler').holder,
    );
    expect(after.problems).toEqual([]);
  });

  it('shows a crashed scheduler stale once its last renewal is older than the lease duration', async () => {
    const before = await until(
      'eks-data-platform',
      v => lease(v, 'kube-scheduler').state === 'ok',
      30,
    );
    const holder = lease(before, 'kube-scheduler').holder;
    expect(holder).toBeDefined();
    // SIGKILL: the Lease keeps its holder; only its renewal time tells.
    execFileSync(env.cli, ['k8s', 'stop-scheduler', '--kill'], {
      stdio: 'ignore',
    });
    try {
      const view = await until(
        'eks-data-platform',
        v => lease(v, 'kube-scheduler').stale,
        20,
      );
      const scheduler = lease(view, 'kube-scheduler');
      expect(scheduler.stale).toBe(true);
      expect(scheduler.holder).toBe(holder);
      expect(scheduler.ageSeconds).toBeGreaterThan(15);
      expect(view.problems.join('\n')).toContain(
        `kube-scheduler's leader ${holder} last renewed its Lease`,
      );
    } finally {
      execFileSync(env.cli, ['k8s', 'start-scheduler'], { stdio: 'ignore' });
    }
    const after = await until('eks-data-platform', v => v.status === 'ok', 40);
    expect(after.status).toBe('ok');
  });

  it('says forbidden, naming the RBAC, for an identity without it; the other panels still serve', async () => {
    const view = await until(
      'restricted-view',
      v => v.readyz.state !== 'unknown',
      30,
    );
    expect(view.readyz.state).toBe('forbidden');
    expect(view.readyz.error).toMatch(/nonResourceURL \/readyz/);
    expect(view.livez.state).toBe('forbidden');
    expect(view.versionState).toBe('forbidden');
    for (const l of view.leases) {
      expect(l.state).toBe('forbidden');
      expect(l.error).toMatch(
        /leases \(coordination\.k8s\.io\) in kube-system/,
      );
    }
    expect(view.status).toBe('degraded');
    expect(view.stale).toBe(false);
    // The cache of the same identity is unaffected.
    const groups = await get<NodeGroupSummary[]>(
      '/clusters/restricted-view/node-groups',
    );
    expect(groups.map(g => g.name)).toEqual(['general', 'gpu']);
  });

  it('answers 404 naming the config key for an unknown cluster', async () => {
    const res = await answer('/clusters/nope/control-plane');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/kubernetes.clusterLocatorMethods/);
  });
});
