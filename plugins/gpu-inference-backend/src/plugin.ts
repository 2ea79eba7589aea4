import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { clusterCacheServiceRef } from '@internal/plugin-cluster-health-node';
import { gpuInferencePermissions } from '@internal/plugin-gpu-inference-common';
import { readGpuInferenceConfig } from './config';
import { createRouter } from './router';
import { DefaultGpuInferenceService } from './service/DefaultGpuInferenceService';

/**
 * GPU inference: capacity from the shared cluster cache, use from Prometheus (DCGM and vLLM
 * metrics), served under /api/gpu-inference.
 */
export const gpuInferencePlugin = createBackendPlugin({
  pluginId: 'gpu-inference',
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
        permissionsRegistry.addPermissions(gpuInferencePermissions);
        const service = DefaultGpuInferenceService.create({
          config: readGpuInferenceConfig(config),
          cache,
          catalog,
          logger,
        });
        httpRouter.use(await createRouter({ httpAuth, permissions, service }));
      },
    });
  },
});
