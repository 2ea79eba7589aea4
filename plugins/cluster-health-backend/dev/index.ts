/*
 * The cluster health backend alone, for working on it (`yarn start` in this folder): the
 * plugin and its cluster cache, mock auth (a request without a token is user:default/mock),
 * every permission allowed, and a mock catalog with the sandbox's components so that
 * problems and workloads link to an entity and its owner.
 *
 * Config is the repository's app-config.yaml and app-config.local.yaml; the clusters are
 * those of kubernetes.clusterLocatorMethods (`scripts/sandbox up k8s` writes the sandbox's).
 * Another port if the portal runs on 7007:
 *
 *   APP_CONFIG_backend_listen_port=7017 yarn start
 *   curl localhost:7017/api/cluster-health/clusters
 *   curl 'localhost:7017/api/cluster-health/problems?severity=error'
 *   curl 'localhost:7017/api/cluster-health/entity?entityRef=component:default/webapp'
 *   curl localhost:7017/api/cluster-health/clusters -H 'Authorization: Bearer mock-none-token'   # 401
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from '@internal/plugin-cluster-health-common';

const component = (name: string, namespace: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    annotations: {
      [KUBERNETES_ID_ANNOTATION]: name,
      [KUBERNETES_NAMESPACE_ANNOTATION]: namespace,
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner },
});

const backend = createBackend();

backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(
  mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
);
backend.add(
  catalogServiceMock.factory({
    entities: [
      component('webapp', 'data', 'group:default/data-engineering'),
      component('webapp-consumer', 'data', 'group:default/data-engineering'),
      component('llm-ingestors', 'ml', 'group:default/ml-engineering'),
      component('llm-chat-server', 'ml', 'group:default/ml-engineering'),
      component(
        'github-release-monitor',
        'operators',
        'group:default/platform-team',
      ),
      component('release-notifier', 'operators', 'group:default/platform-team'),
    ],
  }),
);

backend.add(import('../src'));

backend.start();
