/*
 * This module alone, in a backend of its own: the catalog (with the scaffolder's entity model
 * and this package's local-publish provider), the scaffolder, and the platform's actions.
 *
 *   yarn start --config ../../app-config.yaml --config <your config>
 *
 * The tests start it as a child process (src/scaffolderBackend.test.ts), to kill it mid-task.
 */
import { createBackend } from '@backstage/backend-defaults';
import { catalogModulePlatformLocalPublish } from '../src';

const backend = createBackend();
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('../src'));
// Without the catalog side of platform:publish:local, a task waits in its publish step (the
// scaffolder backend test holds a task there to kill the backend).
if (process.env.DEV_BACKEND_WITHOUT_LOCAL_PUBLISH_PROVIDER !== 'true') {
  backend.add(catalogModulePlatformLocalPublish);
}
backend.start();
