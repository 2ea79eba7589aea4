import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConsumerGroupRef } from '@internal/plugin-kafka-lag-common';
import { kafkaLagApiRef } from '../../api';
import { detail, fakeApi, summary } from '../../testing/fixtures';
import { EntityKafkaLagContent } from './EntityKafkaLagContent';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'webapp',
    annotations: {
      'kafka.apache.org/consumer-groups':
        'platform-kafka/webapp-consumer,eu/llm.ingestors',
    },
  },
};

describe('EntityKafkaLagContent', () => {
  it('shows the first group in detail and switches on selection', async () => {
    const api = fakeApi({
      getGroups: jest.fn(async () => ({
        groups: [summary(), summary({ cluster: 'eu', group: 'llm.ingestors' })],
        missing: [],
      })),
      getGroup: jest.fn(async (ref: ConsumerGroupRef) =>
        detail({ ...ref, topics: [`${ref.group}-topic`] }),
      ),
    });
    renderInTestApp(
      <EntityProvider entity={entity}>
        <EntityKafkaLagContent />
      </EntityProvider>,
      { apis: [[kafkaLagApiRef, api]] },
    );

    expect(
      await screen.findByText(/Topics: webapp-consumer-topic/),
    ).toBeInTheDocument();

    await userEvent.click(
      await screen.findByRole('button', { name: 'eu/llm.ingestors' }),
    );

    expect(
      await screen.findByText(/Topics: llm\.ingestors-topic/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: /llm\.ingestors on eu/ }),
    ).toBeInTheDocument();
  });
});
