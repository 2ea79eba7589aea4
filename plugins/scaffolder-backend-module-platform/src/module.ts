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
import { LocalPublishEntityProvider } from './LocalPublishEntityProvider';

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
      },
      async init({ config, scaffolder, catalog, events }) {
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
          }),
        );
      },
    });
  },
});

/** The catalog side of platform:publish:local: entities from the local publish directory. */
export const catalogModulePlatformLocalPublish = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'platform-local-publish',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        catalog: catalogProcessingExtensionPoint,
        scheduler: coreServices.scheduler,
        logger: coreServices.logger,
      },
      async init({ config, catalog, scheduler, logger }) {
        const provider = new LocalPublishEntityProvider(
          localPublishDirectory(config),
          logger,
        );
        catalog.addEntityProvider(provider);
        await scheduler.scheduleTask({
          id: 'platform-local-publish-refresh',
          frequency: { seconds: 3 },
          timeout: { seconds: 30 },
          scope: 'local',
          fn: () => provider.refresh(),
        });
      },
    });
  },
});
