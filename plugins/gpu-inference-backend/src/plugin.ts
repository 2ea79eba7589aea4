import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { clusterCacheServiceRef } from '@internal/plugin-cluster-health-node';
import { assertDuration } from './promql';
import { createRouter } from './router';

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
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        catalog: catalogServiceRef,
        cache: clusterCacheServiceRef,
      },
      async init({
        config,
        auth,
        httpAuth,
        httpRouter,
        permissions,
        catalog,
        cache,
      }) {
        httpRouter.use(
          await createRouter({
            cache,
            catalog,
            auth,
            httpAuth,
            permissions,
            prometheusUrl: config.getOptionalString(
              'gpuInference.prometheus.baseUrl',
            ),
            idleThresholdPercent:
              config.getOptionalNumber('gpuInference.idleThresholdPercent') ??
              10,
            idleWindow: assertDuration(
              config.getOptionalString('gpuInference.idleWindow') ?? '30m',
            ),
          }),
        );
      },
    });
  },
});
