import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { ragChatPermissions } from '@internal/plugin-rag-chat-common';
import { configurationNotices, readRagChatConfig } from './config';
import { INDEX_CHECK_SECONDS } from './indexing/IndexRuns';
import { createRouter } from './router';
import { DefaultRagChatService } from './service/DefaultRagChatService';

/**
 * The RAG chat: an incrementally re-indexed store of the catalog, the
 * repository's docs and the ingestors' embeddings, and streamed answers with
 * citations under /api/rag-chat.
 */
export const ragChatPlugin = createBackendPlugin({
  pluginId: 'rag-chat',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        cache: coreServices.cache,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        logger,
        database,
        scheduler,
        httpRouter,
        httpAuth,
        userInfo,
        auth,
        discovery,
        permissions,
        permissionsRegistry,
        lifecycle,
        cache,
        catalog,
      }) {
        const chatConfig = readRagChatConfig(config);
        for (const notice of configurationNotices(chatConfig)) {
          logger.info('RAG chat: configuration notice', { notice });
        }
        permissionsRegistry.addPermissions(ragChatPermissions);
        const service = await DefaultRagChatService.create({
          config: chatConfig,
          logger,
          database,
          catalog,
          auth,
          discovery,
          cache,
        });
        lifecycle.addShutdownHook(() => service.close());

        // At every check the service starts an index run if one is due (indexing/IndexRuns).
        await scheduler.scheduleTask({
          id: 'rag-chat-index',
          frequency: { seconds: INDEX_CHECK_SECONDS },
          timeout: { minutes: 30 },
          initialDelay: { seconds: 5 },
          // The embedded store lives in this process; a shared store (ragChat.store.connection)
          // is indexed once across replicas.
          scope: chatConfig.store.connection ? 'global' : 'local',
          fn: () => service.reindexIfDue(),
        });

        httpRouter.use(
          await createRouter({
            httpAuth,
            userInfo,
            permissions,
            service,
            logger,
          }),
        );
      },
    });
  },
});
