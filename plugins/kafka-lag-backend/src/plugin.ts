import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { clusterCacheServiceRef } from '@internal/plugin-cluster-health-node';
import { kafkaLagPermissions } from '@internal/plugin-kafka-lag-common';
import { readKafkaLagConfig } from './config';
import { createRouter } from './router';
import { DatabaseLagStore } from './service/DatabaseLagStore';
import { DefaultKafkaLagService } from './service/DefaultKafkaLagService';
import { GroupScalingReader } from './service/GroupScaling';

/**
 * Kafka consumer lag: one background sampler per cluster of `kafka.clusters`,
 * snapshots in the plugin's database, figures served under /api/kafka-lag; with the shared
 * cluster cache, each group's KEDA ScaledObjects explained beside its lag.
 */
export const kafkaLagPlugin = createBackendPlugin({
  pluginId: 'kafka-lag',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        cache: clusterCacheServiceRef,
      },
      async init({
        config,
        logger,
        database,
        scheduler,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        lifecycle,
        cache,
      }) {
        // Registered so that the permission framework (and policies) can see them.
        permissionsRegistry.addPermissions(kafkaLagPermissions);
        const lagConfig = readKafkaLagConfig(config);
        const store = await DatabaseLagStore.create(database);
        const service = await DefaultKafkaLagService.create({
          config: lagConfig,
          store,
          logger,
        });
        lifecycle.addShutdownHook(() => service.close());
        for (const cluster of lagConfig.clusters) {
          await scheduler.scheduleTask({
            id: `kafka-lag-sample-${cluster.name}`,
            frequency: { seconds: lagConfig.sampleIntervalSeconds },
            timeout: { seconds: lagConfig.sampleTimeoutSeconds },
            initialDelay: { seconds: 1 },
            // Once across all replicas (the scheduler's lock in the plugin's database);
            // every replica serves the figures from that database.
            scope: 'global',
            fn: () => service.sample(cluster.name),
          });
        }
        if (lagConfig.clusters.length === 0) {
          logger.info(
            'No Kafka clusters configured (kafka.clusters); nothing to sample',
          );
        }
        // "Why isn't it scaling?": the groups' KEDA ScaledObjects, from the shared cluster cache.
        const scaling = new GroupScalingReader({
          cache,
          kafkaClusters: lagConfig.clusters,
          lag: service,
        });
        httpRouter.use(
          await createRouter({ httpAuth, permissions, service, scaling }),
        );
      },
    });
  },
});
