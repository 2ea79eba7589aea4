import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { controlPlaneView } from '../../testing/fixtures';
import { ControlPlanePanel } from './ControlPlanePanel';

describe('ControlPlanePanel', () => {
  it('shows the version, the checks and who leads when all is well', async () => {
    await renderInTestApp(<ControlPlanePanel view={controlPlaneView()} />);
    expect(screen.getByText('v1.34.4')).toBeInTheDocument();
    expect(screen.getByText('/readyz: ok')).toBeInTheDocument();
    expect(screen.getByText('/livez: ok')).toBeInTheDocument();
    expect(screen.getAllByText(/2 checks passing: ping, etcd/)).toHaveLength(2);
    expect(
      screen.getByText('vm_kube-scheduler leads (renewed 1 s ago)'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('names a failing check and a stale Lease in words', async () => {
    const base = controlPlaneView();
    const message =
      "kube-scheduler's leader vm_1 last renewed its Lease 40 s ago, past its 15 s lease duration: kube-scheduler is not running or cannot reach the API server";
    await renderInTestApp(
      <ControlPlanePanel
        view={{
          ...base,
          status: 'degraded',
          readyz: {
            ...base.readyz,
            state: 'failing',
            checks: [
              { name: 'ping', ok: true },
              { name: 'etcd', ok: false, message: 'reason withheld' },
            ],
          },
          leases: [
            {
              ...base.leases[0],
              state: 'failing',
              stale: true,
              holder: 'vm_1',
              message,
            },
            base.leases[1],
          ],
          problems: ['readyz check etcd is failing: reason withheld', message],
        }}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      /Control plane degraded.*readyz check etcd is failing/,
    );
    expect(
      screen.getByText('etcd failing: reason withheld'),
    ).toBeInTheDocument();
    expect(screen.getByText('stale: failing')).toBeInTheDocument();
    expect(screen.getAllByText(message)).toHaveLength(2);
  });

  it('keeps the last figures, marked stale, when the API server does not answer', async () => {
    const lastSuccessAt = new Date(Date.now() - 120_000).toISOString();
    await renderInTestApp(
      <ControlPlanePanel
        view={controlPlaneView({
          status: 'down',
          stale: true,
          error: 'cannot reach the API server: ECONNREFUSED',
          lastSuccessAt,
        })}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      /Stale: the API server did not answer the last probe.*ECONNREFUSED.*from 2 min ago/,
    );
    expect(screen.getByText('v1.34.4')).toBeInTheDocument();
    expect(screen.getByText('/readyz: ok')).toBeInTheDocument();
  });

  it('says forbidden and names the RBAC the identity needs', async () => {
    const forbidden =
      "the portal's identity may not read this (403): it needs get on the nonResourceURL /readyz";
    const base = controlPlaneView();
    await renderInTestApp(
      <ControlPlanePanel
        view={{
          ...base,
          status: 'degraded',
          version: undefined,
          versionState: 'forbidden',
          readyz: {
            endpoint: 'readyz',
            state: 'forbidden',
            checks: [],
            error: forbidden,
          },
          livez: {
            endpoint: 'livez',
            state: 'forbidden',
            checks: [],
            error: forbidden,
          },
          leases: base.leases.map(l => ({
            ...l,
            state: 'forbidden' as const,
            holder: undefined,
            renewedAt: undefined,
            message: undefined,
          })),
        }}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      /Control plane: forbidden.*nonResourceURLs \/readyz, \/livez and \/version.*leases \(coordination.k8s.io\) in kube-system/,
    );
    expect(screen.getByText('/readyz: forbidden')).toBeInTheDocument();
  });
});
