import { judgeLease, parseHealthChecks } from './ControlPlaneProbe';

describe('parseHealthChecks', () => {
  it('reads passing and failing checks of a verbose health answer', () => {
    const text = [
      '[+]ping ok',
      '[+]log ok',
      '[-]etcd failed: reason withheld',
      '[+]poststarthook/start-informers ok',
      '[-]informer-sync failed',
      'readyz check failed',
    ].join('\n');
    expect(parseHealthChecks(text)).toEqual([
      { name: 'ping', ok: true },
      { name: 'log', ok: true },
      { name: 'etcd', ok: false, message: 'reason withheld' },
      { name: 'poststarthook/start-informers', ok: true },
      { name: 'informer-sync', ok: false, message: undefined },
    ]);
  });
});

describe('judgeLease', () => {
  const at = new Date('2026-12-02T10:00:30Z');
  const lease = {
    component: 'kube-scheduler',
    state: 'ok' as const,
    holder: 'vm_1',
    leaseDurationSeconds: 15,
    readAt: '2026-12-02T10:00:20Z',
  };

  it('is current while the renewal is within the lease duration', () => {
    const view = judgeLease(
      { ...lease, renewedAt: '2026-12-02T10:00:20Z' },
      false,
      at,
    );
    expect(view).toMatchObject({ state: 'ok', stale: false, ageSeconds: 10 });
  });

  it('is stale, naming the component and holder, past the lease duration', () => {
    const view = judgeLease(
      { ...lease, renewedAt: '2026-12-02T10:00:10Z' },
      false,
      at,
    );
    expect(view).toMatchObject({
      state: 'failing',
      stale: true,
      ageSeconds: 20,
    });
    expect(view.message).toMatch(
      /^kube-scheduler's leader vm_1 last renewed its Lease 20 s ago, past its 15 s/,
    );
  });

  it('is judged at the last read while the API server does not answer', () => {
    const view = judgeLease(
      { ...lease, renewedAt: '2026-12-02T10:00:10Z' },
      true,
      at,
    );
    expect(view).toMatchObject({ state: 'ok', stale: false, ageSeconds: 10 });
  });

  it('has no leader when the Lease was released', () => {
    const view = judgeLease(
      { ...lease, holder: undefined, renewedAt: '2026-12-02T10:00:29Z' },
      false,
      at,
    );
    expect(view).toMatchObject({ state: 'failing', stale: true });
    expect(view.message).toMatch(/kube-scheduler has no leader/);
  });
});
