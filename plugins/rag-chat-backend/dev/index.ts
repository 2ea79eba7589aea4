/*
 * The RAG chat backend alone, for working on it (`yarn start` in this folder): the plugin
 * with mock auth and user info (a request without a token is user:default/mock), every
 * permission allowed, and a mock catalog of two entities for the index to read.
 *
 * Config is the repository's app-config.yaml and app-config.local.yaml: ragChat.* (the
 * docs under ../../docs; with the sandbox, its model server for chat and embeddings).
 * ragChat.store.dataDir is the portal's own embedded store, which one process at a time may
 * open, and backend.database is the portal's SQLite directory: when the portal runs, give
 * this backend its own of both, and another port:
 *
 *   APP_CONFIG_backend_listen_port=7017 \
 *   APP_CONFIG_backend_database_connection_directory=../../.portal-data/sqlite-dev \
 *   APP_CONFIG_ragChat_store_dataDir=../../.portal-data/rag-chat-pglite-dev yarn start
 *   curl localhost:7017/api/rag-chat/status
 *   curl -N localhost:7017/api/rag-chat/chat -H 'Content-Type: application/json' \
 *     -d '{"question":"Who owns the webapp?"}'
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';

const backend = createBackend();

backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(mockServices.userInfo.factory());
backend.add(
  mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
);
backend.add(
  catalogServiceMock.factory({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'webapp',
          title: 'Web UI',
          description:
            'RAG-based query interface; answers questions from the processed data and embeddings.',
        },
        spec: {
          type: 'website',
          lifecycle: 'production',
          owner: 'group:default/data-engineering',
        },
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: {
          name: 'data-engineering',
          description: 'Owns the webapp and the webapp consumer.',
        },
        spec: { type: 'team', children: [] },
      },
    ],
  }),
);

backend.add(import('../src'));

backend.start();
