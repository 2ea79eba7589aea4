import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { clusterHealthPermissions } from '@internal/plugin-cluster-health-common';
import { clusterCacheServiceRef } from '@internal/plugin-cluster-health-node';
import { readClusterHealthConfig } from './config';
import { createRouter } from './router';
import { DefaultClusterHealthService } from './service/DefaultClusterHealthService';

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
        logger: coreServices.logger,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        cache: clusterCacheServiceRef,
      },
      async init({
        config,
        logger,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        catalog,
        cache,
      }) {
        // Registered so that the permission framework (and policies) can see them.
        permissionsRegistry.addPermissions(clusterHealthPermissions);
        const service = DefaultClusterHealthService.create({
          config: readClusterHealthConfig(config),
          cache,
          catalog,
          logger,
        });
        httpRouter.use(await createRouter({ httpAuth, permissions, service }));
      },
    });
  },
});
