import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { KUBERNETES_ID_ANNOTATION } from '@internal/plugin-cluster-health-common';
import SvgIcon from '@mui/material/SvgIcon';
import { ClusterHealthClient, clusterHealthApiRef } from './api';
import { rootRouteRef } from './routes';

/** Three nodes, one of them down. */
function ClusterHealthIcon() {
  return (
    <SvgIcon>
      <path d="M3 4h7v7H3zM14 4h7v7h-7zM3 14h7v7H3z" />
      <path d="M14 14l7 7M21 14l-7 7" strokeWidth="2" stroke="currentColor" />
    </SvgIcon>
  );
}

export const clusterHealthApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: clusterHealthApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ClusterHealthClient({ discoveryApi, fetchApi }),
    }),
});

/** The page at /cluster-health; its title and icon make it the sidebar's `page:cluster-health`. */
export const clusterHealthPage = PageBlueprint.make({
  params: {
    path: '/cluster-health',
    title: 'Cluster health',
    icon: <ClusterHealthIcon />,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/ClusterHealthPage').then(m => (
        <m.ClusterHealthPage />
      )),
  },
});

export const workloadHealthEntityCard = EntityCardBlueprint.make({
  name: 'workload-health',
  params: {
    filter: {
      [`metadata.annotations.${KUBERNETES_ID_ANNOTATION}`]: { $exists: true },
    },
    loader: () =>
      import('./components/WorkloadHealthCard').then(m => (
        <m.WorkloadHealthCard />
      )),
  },
});

/** Cluster health: the page and the Workload health card. */
export const clusterHealthPlugin = createFrontendPlugin({
  pluginId: 'cluster-health',
  title: 'Cluster health',
  icon: <ClusterHealthIcon />,
  routes: { root: rootRouteRef },
  extensions: [clusterHealthApi, clusterHealthPage, workloadHealthEntityCard],
});
