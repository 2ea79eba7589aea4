import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { clusterHealthPermissions } from '@internal/plugin-cluster-health-common';
import {
  clusterCacheServiceRef,
  readNodeGroupLabels,
} from '@internal/plugin-cluster-health-node';
import { createRouter } from './router';

/**
 * Cluster health: node groups, DaemonSet coverage, problems linked to their owners,
 * GithubReleases and per-entity workloads, served under /api/cluster-health from the shared
 * watch-fed cluster cache (clusters from kubernetes.clusterLocatorMethods).
 */
export const clusterHealthPlugin = createBackendPlugin({
  pluginId: 'cluster-health',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        cache: clusterCacheServiceRef,
      },
      async init({
        config,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        catalog,
        cache,
      }) {
        // Registered so that the permission framework (and policies) can see them.
        permissionsRegistry.addPermissions(clusterHealthPermissions);
        const nodeGroupLabels = readNodeGroupLabels(config);
        httpRouter.use(
          await createRouter({
            cache,
            catalog,
            httpAuth,
            permissions,
            nodeGroupLabels,
          }),
        );
      },
    });
  },
});
