import os from 'node:os';
import path from 'node:path';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createKafkaTopicAction } from './actions/kafkaTopicCreate';
import {
  createKubernetesApplyAction,
  createNamespaceEnsureAction,
} from './actions/kubernetesApply';
import { createPublishLocalAction } from './actions/publishLocal';
import { createValidateAction } from './actions/validate';
import { CatalogProcessingErrors } from './CatalogProcessingErrors';
import { PlatformClients } from './clients';
import { PublishedEntitiesClient } from './published/PublishedEntitiesClient';
import { PublishedEntityProvider } from './published/PublishedEntityProvider';
import { PublishedEntityStore } from './published/PublishedEntityStore';
import { importLegacyFolders } from './published/legacyFolder';
import { createPublishedEntitiesRouter } from './published/router';

function localPublishDirectory(config: {
  getOptionalString(key: string): string | undefined;
}) {
  return (
    config.getOptionalString('platformScaffolder.localPublishDirectory') ??
    path.join(os.homedir(), '.cache', 'platform-portal', 'scaffolded')
  );
}

/** The platform's scaffolder actions. */
export const scaffolderModulePlatform = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'platform',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        scaffolder: scaffolderActionsExtensionPoint,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ config, scaffolder, catalog, events, discovery, auth }) {
        const clients = new PlatformClients(config);
        const catalogErrors = await CatalogProcessingErrors.create(events);
        scaffolder.addActions(
          createValidateAction(clients),
          createKafkaTopicAction(clients),
          createNamespaceEnsureAction(clients),
          createKubernetesApplyAction(clients, {
            rolloutTimeoutSeconds:
              config.getOptionalNumber(
                'platformScaffolder.rolloutTimeoutSeconds',
              ) ?? 120,
          }),
          createPublishLocalAction({
            directory: localPublishDirectory(config),
            catalog,
            catalogErrors,
            published: new PublishedEntitiesClient({ discovery, auth }),
          }),
        );
      },
    });
  },
});

/**
 * The catalog side of platform:publish:local: the published entities in a table of the
 * catalog's database, a route under /api/catalog that the action publishes through, and an
 * entity provider that feeds the catalog from that table on every replica.
 */
export const catalogModulePlatformLocalPublish = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'platform-local-publish',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        catalog: catalogProcessingExtensionPoint,
        scheduler: coreServices.scheduler,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
      },
      async init({
        config,
        catalog,
        scheduler,
        database,
        httpRouter,
        httpAuth,
        logger,
      }) {
        const directory = localPublishDirectory(config);
        const store = await PublishedEntityStore.create(database);
        // Before the first full refresh from the table: what the previous version published.
        await importLegacyFolders({ directory, store, logger });
        const provider = new PublishedEntityProvider(store, directory);
        catalog.addEntityProvider(provider);
        httpRouter.use(
          createPublishedEntitiesRouter({ httpAuth, store, provider }),
        );
        // Each publish reaches the catalog at once as a delta; this full mutation from the
        // table (once across replicas) makes the catalog hold exactly what is published.
        await scheduler.scheduleTask({
          id: 'platform-local-publish-refresh',
          frequency: {
            seconds:
              config.getOptionalNumber(
                'platformScaffolder.publishedEntitiesRefreshSeconds',
              ) ?? 30,
          },
          timeout: { seconds: 60 },
          initialDelay: { seconds: 1 },
          scope: 'global',
          fn: () => provider.refresh(),
        });
      },
    });
  },
});
