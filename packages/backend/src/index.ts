/*
 * The portal's backend (new backend system). Each line adds one plugin or module:
 * Backstage's own (catalog, scaffolder, search, TechDocs, Kubernetes, auth, permissions)
 * and the platform's (cluster health, Kafka lag, GPU inference, RAG chat, the scaffolder
 * module). The configuration is checked before any plugin starts: the PostgreSQL settings,
 * and in production (auth.environment: production) the chat store, the cache and sign-in.
 */
import { createBackend } from '@backstage/backend-defaults';
import { assertProductionConfig } from './modules/productionPreflight';
import { authModulePlatformOidcProvider } from './modules/oidcSignIn';
import { platformPermissionPolicy } from './modules/permissionPolicy';
import { permissionsWithDecisionCache } from './modules/permissionDecisionCache';
import { catalogModulePlatformLocalPublish } from '@internal/plugin-scaffolder-backend-module-platform';

async function main() {
  const config = await assertProductionConfig();

  const backend = createBackend();

  backend.add(import('@backstage/plugin-app-backend'));
  backend.add(import('@backstage/plugin-proxy-backend'));

  // Auth: OIDC sign-in (auth.providers.oidc) as the catalog User with the IdP's email
  // (modules/oidcSignIn.ts); guest sign-in only where auth.providers.guest is configured
  // (app-config.yaml, development; app-config.production.yaml removes it).
  backend.add(import('@backstage/plugin-auth-backend'));
  backend.add(authModulePlatformOidcProvider);
  if (config.has('auth.providers.guest')) {
    backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
  }

  // Catalog: the repository's catalog-info.yaml and the templates it points at.
  backend.add(import('@backstage/plugin-catalog-backend'));
  backend.add(
    import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
  );
  backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

  // Scaffolder.
  backend.add(import('@backstage/plugin-scaffolder-backend'));
  backend.add(
    import('@backstage/plugin-scaffolder-backend-module-notifications'),
  );
  // The platform's actions (Kafka topics, server-side apply, validation, local publish) and
  // the catalog module that picks up what platform:publish:local wrote.
  backend.add(import('@internal/plugin-scaffolder-backend-module-platform'));
  backend.add(catalogModulePlatformLocalPublish);

  // Permissions: the platform's policy (modules/permissionPolicy.ts): catalog removal and
  // feedback export for the platform team, restricted entities for their owners, the
  // platform plugins' read permissions for signed-in users.
  backend.add(import('@backstage/plugin-permission-backend'));
  backend.add(platformPermissionPolicy);
  // Every plugin's permissions service keeps a user's ALLOW of a basic permission for
  // permission.decisionCache.allowSeconds (default 10 s; modules/permissionDecisionCache.ts):
  // the pages that poll ask the permission backend once per user and period, not per request.
  backend.add(permissionsWithDecisionCache);

  // Search over the catalog and docs (SQLite in memory locally, PostgreSQL in production).
  backend.add(import('@backstage/plugin-search-backend'));
  backend.add(import('@backstage/plugin-search-backend-module-pg'));
  backend.add(import('@backstage/plugin-search-backend-module-catalog'));
  backend.add(import('@backstage/plugin-search-backend-module-techdocs'));
  backend.add(import('@backstage/plugin-techdocs-backend'));

  // Backstage's Kubernetes plugin (the entity Kubernetes tab); clusters come from
  // kubernetes.clusterLocatorMethods, which the platform plugins read too.
  backend.add(import('@backstage/plugin-kubernetes-backend'));

  // Platform plugins.
  backend.add(import('@internal/plugin-kafka-lag-backend'));
  // Node groups, DaemonSet coverage and problems from a watch-fed cache of the same clusters.
  backend.add(import('@internal/plugin-cluster-health-backend'));
  // GPU capacity, use and model-server health (the cluster cache above, and Prometheus).
  backend.add(import('@internal/plugin-gpu-inference-backend'));
  backend.add(import('@internal/plugin-rag-chat-backend'));

  // The event bus: with PostgreSQL its store is the database, so an event published on one
  // replica reaches the subscribers on every other (signals and notifications reach a
  // browser whichever replica it is connected to); with SQLite it stays in memory.
  backend.add(import('@backstage/plugin-events-backend'));
  backend.add(import('@backstage/plugin-user-settings-backend'));
  backend.add(import('@backstage/plugin-notifications-backend'));
  backend.add(import('@backstage/plugin-signals-backend'));

  await backend.start();
}

main();
