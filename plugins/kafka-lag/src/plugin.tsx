import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { KAFKA_CONSUMER_GROUPS_ANNOTATION } from '@internal/plugin-kafka-lag-common';
import { KafkaLagClient, kafkaLagApiRef } from './api';
import { KafkaLagIcon } from './components/KafkaLagIcon';
import { rootRouteRef } from './routes';

/** Entities that name consumer groups in the annotation. */
export const hasConsumerGroupsAnnotation = {
  [`metadata.annotations.${KAFKA_CONSUMER_GROUPS_ANNOTATION}`]: {
    $exists: true,
  },
};

export const kafkaLagApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: kafkaLagApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new KafkaLagClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The Kafka lag page at /kafka-lag. Its title, icon and route ref also make it
 * the sidebar's nav item (`page:kafka-lag`).
 */
export const kafkaLagPage = PageBlueprint.make({
  params: {
    path: '/kafka-lag',
    title: 'Kafka lag',
    icon: <KafkaLagIcon />,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/KafkaLagPage').then(m => <m.KafkaLagPage />),
  },
});

export const kafkaLagEntityCard = EntityCardBlueprint.make({
  params: {
    filter: hasConsumerGroupsAnnotation,
    loader: () =>
      import('./components/EntityKafkaLagCard').then(m => (
        <m.EntityKafkaLagCard />
      )),
  },
});

export const kafkaLagEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'kafka-lag',
    title: 'Kafka lag',
    group: 'platform',
    filter: hasConsumerGroupsAnnotation,
    loader: () =>
      import('./components/EntityKafkaLagContent').then(m => (
        <m.EntityKafkaLagContent />
      )),
  },
});

/** Kafka consumer-group lag: page, entity card and entity tab. */
export const kafkaLagPlugin = createFrontendPlugin({
  pluginId: 'kafka-lag',
  title: 'Kafka lag',
  icon: <KafkaLagIcon />,
  routes: { root: rootRouteRef },
  extensions: [
    kafkaLagApi,
    kafkaLagPage,
    kafkaLagEntityCard,
    kafkaLagEntityContent,
  ],
});
