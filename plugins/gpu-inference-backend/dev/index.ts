/*
 * The GPU inference backend alone, for working on it (`yarn start` in this folder): the
 * plugin and the shared cluster cache, mock auth (a request without a token is
 * user:default/mock), every permission allowed, and a mock catalog with the sandbox's two
 * model servers (ml-platform.io/model-server-selector) so that GPUs link to them.
 *
 * Config is the repository's app-config.yaml and app-config.local.yaml: the clusters of
 * kubernetes.clusterLocatorMethods and gpuInference.prometheus.baseUrl
 * (`scripts/sandbox up k8s metrics model` writes the sandbox's). Another port if the portal
 * runs on 7007:
 *
 *   APP_CONFIG_backend_listen_port=7017 yarn start
 *   curl localhost:7017/api/gpu-inference/fleet
 *   curl 'localhost:7017/api/gpu-inference/entity?entityRef=component:default/llm-chat-server&range=6h'
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
  MODEL_SERVER_SELECTOR_ANNOTATION,
} from '@internal/plugin-cluster-health-common';

const modelServer = (name: string, model: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    annotations: {
      [KUBERNETES_ID_ANNOTATION]: name,
      [KUBERNETES_NAMESPACE_ANNOTATION]: 'ml',
      [MODEL_SERVER_SELECTOR_ANNOTATION]: `job="model-server",model_name="${model}"`,
    },
  },
  spec: {
    type: 'model-server',
    lifecycle: 'production',
    owner: 'group:default/ml-engineering',
  },
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
      modelServer('llm-chat-server', 'llama-3.1-8b-instruct'),
      modelServer('embedding-server', 'all-MiniLM-L6-v2'),
    ],
  }),
);

backend.add(import('../src'));

backend.start();
