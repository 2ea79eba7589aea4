import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { DefaultClusterCache } from './DefaultClusterCache';
import { ClusterCache } from './types';

/**
 * The cluster cache, one per backend process (root scope), shared by every plugin that
 * depends on it — cluster health and GPU inference watch each cluster once between them.
 * The informers start with the backend and stop at shutdown.
 */
export const clusterCacheServiceRef = createServiceRef<ClusterCache>({
  id: 'cluster-health.cluster-cache',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.rootLogger,
        lifecycle: coreServices.rootLifecycle,
      },
      async factory({ config, logger, lifecycle }) {
        const cache = DefaultClusterCache.fromConfig(
          config,
          logger.child({ service: 'cluster-cache' }),
        );
        void cache.start();
        lifecycle.addShutdownHook(() => cache.stop());
        return cache;
      },
    }),
});
