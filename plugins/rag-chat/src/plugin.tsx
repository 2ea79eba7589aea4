import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { RagChatClient, ragChatApiRef } from './api';
import { RagChatIcon } from './components/RagChatIcon';
import { rootRouteRef } from './routes';

export const ragChatApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: ragChatApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new RagChatClient({ discoveryApi, fetchApi }),
    }),
});

/** The chat page at /rag-chat; also the sidebar's nav item (`page:rag-chat`). */
export const ragChatPage = PageBlueprint.make({
  params: {
    path: '/rag-chat',
    title: 'Ask the platform',
    icon: <RagChatIcon />,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/RagChatPage').then(m => <m.RagChatPage />),
  },
});

/** "Ask about this entity" on the overview of components, systems, APIs and resources. */
export const ragChatEntityCard = EntityCardBlueprint.make({
  params: {
    filter: { kind: { $in: ['component', 'system', 'api', 'resource'] } },
    loader: () =>
      import('./components/EntityRagChatCard').then(m => (
        <m.EntityRagChatCard />
      )),
  },
});

/** The platform chat: page and entity card. */
export const ragChatPlugin = createFrontendPlugin({
  pluginId: 'rag-chat',
  title: 'Ask the platform',
  icon: <RagChatIcon />,
  routes: { root: rootRouteRef },
  extensions: [ragChatApi, ragChatPage, ragChatEntityCard],
});
