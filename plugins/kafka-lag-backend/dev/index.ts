/*
 * The Kafka lag backend alone, for working on it (`yarn start` in this folder): the plugin
 * with mock auth (a request without a token is user:default/mock) and every permission
 * allowed. It needs no catalog: entities name their groups in an annotation that the
 * frontend reads.
 *
 * Config is the repository's app-config.yaml and app-config.local.yaml: kafka.clusters
 * (`scripts/sandbox up kafka workload` writes the sandbox's) and kafkaLag.*. Snapshots go to
 * backend.database, by default the SQLite directory the portal uses too: give this backend
 * its own when the portal runs. Another port if the portal runs on 7007:
 *
 *   APP_CONFIG_backend_listen_port=7017 \
 *   APP_CONFIG_backend_database_connection_directory=../../.portal-data/sqlite-dev yarn start
 *   curl localhost:7017/api/kafka-lag/clusters
 *   curl 'localhost:7017/api/kafka-lag/groups/platform-kafka/webapp-consumer?window=3600'
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';

const backend = createBackend();

backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(
  mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
);

backend.add(import('../src'));

backend.start();
