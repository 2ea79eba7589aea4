import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

export const welcomeContent = `
## The data/ML platform

Kafka pipelines, LLM ingestors, PostgreSQL with embeddings and GPU model
servers on one EKS cluster. This portal is the place to find who owns what,
how it is doing, and to create new pipelines and services yourself.

- **[Catalog](/catalog)**: every service, consumer group, model server,
  topic, database and node group, with owners and relations.
- **[Create](/create)**: self-service templates, from a catalog entry for a
  running workload to new pipelines and services.
- **[APIs](/api-docs)**: the inference API, the query API and the Kafka streams.
- **Platform** (sidebar): cluster health, Kafka consumer lag, GPU inference
  and the platform chat, as each is installed.

The catalog is defined in \`catalog-info.yaml\` at the root of the portal's
repository; templates live in \`templates/\`.
`;

const platformWelcomeWidget = HomePageWidgetBlueprint.make({
  name: 'platform-welcome',
  params: {
    name: 'PlatformWelcome',
    title: 'Welcome',
    description: 'What the platform is and where to start',
    components: async () => ({
      Content: () => <MarkdownContent content={welcomeContent} />,
    }),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [platformWelcomeWidget],
});
