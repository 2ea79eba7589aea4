/*
 * This module alone, in a backend of its own: the catalog (with the scaffolder's entity model
 * and this package's local-publish provider), the scaffolder, and the platform's actions.
 *
 *   yarn start --config ../../app-config.yaml --config <your config>
 *
 * The tests start it as a child process (src/scaffolderBackend.test.ts), to kill it mid-task.
 */
import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogModulePlatformLocalPublish } from '../src';
import { PublishedEntityStore } from '../src/published/PublishedEntityStore';
import { createPublishedEntitiesRouter } from '../src/published/router';

/**
 * The catalog module's store and route without its entity provider: publishes are stored,
 * but the catalog never gets the entities, so a task waits in its publish step.
 */
const catalogModuleStoreWithoutProvider = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'platform-local-publish',
  register(reg) {
    reg.registerInit({
      deps: {
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
      },
      async init({ database, httpRouter, httpAuth }) {
        const store = await PublishedEntityStore.create(database);
        httpRouter.use(
          createPublishedEntitiesRouter({
            httpAuth,
            store,
            provider: { added: async () => {}, removed: async () => {} },
          }),
        );
      },
    });
  },
});

const backend = createBackend();
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('../src'));
// Without the entity provider of platform:publish:local, a task waits in its publish step (the
// scaffolder backend test holds a task there to kill the backend).
if (process.env.DEV_BACKEND_WITHOUT_LOCAL_PUBLISH_PROVIDER !== 'true') {
  backend.add(catalogModulePlatformLocalPublish);
} else {
  backend.add(catalogModuleStoreWithoutProvider);
}
backend.start();
