import { renderInTestApp } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { ClusterHealthApi, clusterHealthApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { cluster, fakeApi, general } from '../../testing/fixtures';
import { ClusterHealthPage } from './ClusterHealthPage';

const renderPage = (api: ClusterHealthApi) =>
  renderInTestApp(<ClusterHealthPage />, {
    apis: [[clusterHealthApiRef, api]],
    mountedRoutes: { '/cluster-health': rootRouteRef },
  });

describe('ClusterHealthPage', () => {
  it('names the config key when no cluster is configured', async () => {
    await renderPage(fakeApi({ listClusters: jest.fn(async () => []) }));
    expect(
      await screen.findByText('No clusters configured'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/kubernetes\.clusterLocatorMethods/),
    ).toBeInTheDocument();
  });

  it('shows the backend error, not a blank page', async () => {
    const response = new Response(
      JSON.stringify({
        error: {
          name: 'NotAllowedError',
          message: 'Not allowed to read cluster health',
        },
      }),
      { status: 403, headers: { 'content-type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(response);
    await renderPage(
      fakeApi({ listClusters: jest.fn(async () => Promise.reject(error)) }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /Not allowed to read cluster health/,
    );
  });

  it('shows freshness with the forbidden type, node groups, headroom, coverage gaps and linked problems', async () => {
    await renderPage(fakeApi());
    expect(
      await screen.findByText(
        /eks-data-platform: ok, updated .* poddisruptionbudgets forbidden/,
      ),
    ).toBeInTheDocument();
    expect(await screen.findByText('Node group general')).toBeInTheDocument();
    expect(
      screen.getByText(/Losing the largest node would leave -2\.08 CPU/),
    ).toBeInTheDocument();
    expect(screen.getByText('ip-10-0-3-47 is NotReady')).toBeInTheDocument();
    expect(
      await screen.findByText(
        /does not tolerate the taint nvidia\.com\/gpu=present:NoSchedule/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('— of 2')).toBeInTheDocument();
    const entity = await screen.findByRole('link', {
      name: 'release-notifier',
    });
    expect(entity).toHaveAttribute(
      'href',
      '/catalog/default/component/release-notifier',
    );
    fireEvent.click(screen.getByText(/restarting \(17 restarts/));
    expect(screen.getByText(/BackOff ×9/)).toBeInTheDocument();
  });

  it('says when a cluster is down, while the others keep their panels', async () => {
    const unreachable = new Error(
      'cannot reach the API server of prod; check kubernetes.clusterLocatorMethods',
    );
    const api = fakeApi({
      listClusters: jest.fn(async () => [
        cluster({
          name: 'prod',
          status: 'down',
          message:
            'cannot reach https://10.0.0.1: ECONNREFUSED; check kubernetes.clusterLocatorMethods',
        }),
        cluster(),
      ]),
      getNodeGroups: jest.fn(async (name: string) => {
        if (name === 'prod') throw unreachable;
        return [general];
      }),
    });
    await renderPage(api);
    expect(await screen.findByText('prod is down')).toBeInTheDocument();
    expect(screen.getByText(/ECONNREFUSED/)).toBeInTheDocument();
    // The down cluster's panel shows its own error ...
    expect(
      (await screen.findAllByText(/cannot reach the API server of prod/))
        .length,
    ).toBeGreaterThan(0);
    expect(screen.queryByText('Node group general')).not.toBeInTheDocument();

    // ... and the other cluster is one click away, with all of its panels.
    fireEvent.click(screen.getByText(/^eks-data-platform: ok/));
    expect(await screen.findByText('Node group general')).toBeInTheDocument();
    expect(screen.queryByText('prod is down')).not.toBeInTheDocument();
    expect(
      await screen.findByText(/does not tolerate the taint nvidia\.com/),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('link', { name: 'release-notifier' }),
    ).toBeInTheDocument();
    expect(api.getNodeGroups).toHaveBeenCalledWith('eks-data-platform');
    expect(api.getDaemonSets).toHaveBeenCalledWith('eks-data-platform');
    expect(api.getProblems).toHaveBeenCalledWith({
      cluster: 'eks-data-platform',
    });
  });

  it('says a forbidden PodDisruptionBudget type is forbidden, with the RBAC it needs, instead of "every budget is healthy"', async () => {
    await renderPage(fakeApi({ getProblems: jest.fn(async () => []) }));
    expect(
      await screen.findByText(
        /No problems in what could be read, but not everything is read/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /forbidden \(the portal's identity may not list poddisruptionbudgets; RBAC needed: get, list, watch on poddisruptionbudgets in API group "policy"/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/budget is healthy/)).not.toBeInTheDocument();
  });

  it('says every budget is healthy only when every problem source is read', async () => {
    await renderPage(
      fakeApi({
        listClusters: jest.fn(async () => [
          cluster({
            resources: [
              { resource: 'poddisruptionbudgets', state: 'synced', count: 3 },
            ],
          }),
        ]),
        getProblems: jest.fn(async () => []),
      }),
    );
    expect(
      await screen.findByText(
        'No problems match: every watched workload, node and budget is healthy.',
      ),
    ).toBeInTheDocument();
  });

  it('says GithubRelease is not installed or forbidden per cluster instead of "No GithubRelease objects"', async () => {
    await renderPage(
      fakeApi({
        listClusters: jest.fn(async () => [
          cluster({
            resources: [
              { resource: 'githubreleases', state: 'not-installed', count: 0 },
            ],
          }),
          cluster({
            name: 'restricted-view',
            resources: [
              {
                resource: 'githubreleases',
                state: 'forbidden',
                count: 0,
                error: '403',
              },
            ],
          }),
        ]),
      }),
    );
    expect(
      await screen.findByText(/GithubReleases not read in 2 of 2 clusters/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /not installed \(CRD githubreleases\.platform\.example\.com not found\)/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /forbidden \(the portal's identity may not list githubreleases; RBAC needed: .* "platform\.example\.com"/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/No GithubRelease objects/),
    ).not.toBeInTheDocument();
  });

  it('names the clusters where no GithubRelease exists when the type is read', async () => {
    await renderPage(
      fakeApi({
        listClusters: jest.fn(async () => [
          cluster({
            resources: [
              { resource: 'githubreleases', state: 'synced', count: 0 },
            ],
          }),
        ]),
      }),
    );
    expect(
      await screen.findByText('No GithubRelease objects in eks-data-platform.'),
    ).toBeInTheDocument();
  });

  it('shows recent warning events of the cluster on their own', async () => {
    const api = fakeApi({
      getEvents: jest.fn(async () => [
        {
          cluster: 'eks-data-platform',
          namespace: 'data',
          object: { kind: 'Pod', name: 'webapp-1' },
          reason: 'Unhealthy',
          message: 'Readiness probe failed: HTTP 503',
          count: 4,
          lastSeen: new Date().toISOString(),
          entityRef: 'component:default/webapp',
        },
      ]),
    });
    await renderPage(api);
    const table = await screen.findByRole('table', {
      name: 'Recent warning events',
    });
    expect(table).toHaveTextContent('Unhealthy ×4');
    expect(table).toHaveTextContent('Readiness probe failed: HTTP 503');
    expect(screen.getByRole('link', { name: 'webapp' })).toHaveAttribute(
      'href',
      '/catalog/default/component/webapp',
    );
    expect(api.getEvents).toHaveBeenCalledWith('eks-data-platform', {
      limit: 20,
    });
  });

  it('lists each configured cluster the portal does not read, with the reason and the config key', async () => {
    await renderPage(
      fakeApi({
        listClusters: jest.fn(async () => [
          cluster(),
          cluster({
            name: 'gke-analytics',
            status: 'down',
            resources: [],
            unsupported: {
              name: 'gke-analytics',
              locator: 'config',
              authProvider: 'google',
              configKey:
                'kubernetes.clusterLocatorMethods[0].clusters[1].authProvider',
              reason:
                "authProvider 'google' is not supported here: use serviceAccount or aws",
            },
          }),
          cluster({
            name: 'kubernetes.clusterLocatorMethods[1]',
            title: 'catalog cluster locator',
            status: 'down',
            resources: [],
            unsupported: {
              locator: 'catalog',
              configKey: 'kubernetes.clusterLocatorMethods[1].type',
              reason:
                "locator type 'catalog' is not read by the portal (kubernetes.clusterLocatorMethods[1].type): list the clusters with type 'config'",
            },
          }),
        ]),
      }),
    );
    const alert = (
      await screen.findByText('2 configured clusters are not read')
    ).parentElement!;
    expect(alert).toHaveTextContent(
      "gke-analytics: authProvider 'google' is not supported here: use serviceAccount or aws (config key kubernetes.clusterLocatorMethods[0].clusters[1].authProvider)",
    );
    expect(alert).toHaveTextContent(
      "catalog cluster locator: locator type 'catalog' is not read by the portal (kubernetes.clusterLocatorMethods[1].type): list the clusters with type 'config'",
    );
    // The clusters that are read keep their badges and panels; the others get no badge.
    expect(await screen.findByText('Node group general')).toBeInTheDocument();
    expect(screen.queryByText(/^gke-analytics: down/)).not.toBeInTheDocument();
  });

  it('shows only the not-read clusters, not "No clusters configured", when none is read', async () => {
    await renderPage(
      fakeApi({
        listClusters: jest.fn(async () => [
          cluster({
            name: 'eks-prod',
            status: 'down',
            resources: [],
            unsupported: {
              name: 'eks-prod',
              locator: 'config',
              configKey:
                'kubernetes.clusterLocatorMethods[0].clusters[0].authProvider',
              reason: 'authProvider is missing: set serviceAccount or aws',
            },
          }),
        ]),
      }),
    );
    expect(
      await screen.findByText('1 configured cluster is not read'),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('No clusters configured'),
    ).not.toBeInTheDocument();
  });

  it('asks the backend for the filtered problems', async () => {
    const api = fakeApi();
    await renderPage(api);
    await screen.findByText('Node group general');
    fireEvent.mouseDown(screen.getAllByRole('combobox')[2]);
    fireEvent.click(await screen.findByRole('option', { name: 'warning' }));
    await waitFor(() =>
      expect(api.getProblems).toHaveBeenCalledWith({
        cluster: 'eks-data-platform',
        severity: 'warning',
      }),
    );
  });
});
