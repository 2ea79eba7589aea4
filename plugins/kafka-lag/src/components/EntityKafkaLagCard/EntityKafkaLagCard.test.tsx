import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { kafkaLagApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { detail, fakeApi, scaling, summary } from '../../testing/fixtures';
import { EntityKafkaLagCard } from './EntityKafkaLagCard';

function entity(annotation?: string) {
  const annotations: Record<string, string> = {};
  if (annotation !== undefined) {
    annotations['kafka.apache.org/consumer-groups'] = annotation;
  }
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'webapp', annotations },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  };
}

function render(api: ReturnType<typeof fakeApi>, annotation?: string) {
  return renderInTestApp(
    <EntityProvider entity={entity(annotation)}>
      <EntityKafkaLagCard />
    </EntityProvider>,
    {
      apis: [[kafkaLagApiRef, api]],
      mountedRoutes: { '/kafka-lag': rootRouteRef },
    },
  );
}

describe('EntityKafkaLagCard', () => {
  it('explains a malformed annotation instead of crashing', async () => {
    const api = fakeApi();
    render(api, 'platform-kafka/webapp-consumer, just-a-group');

    expect(
      await screen.findByText(
        'The kafka.apache.org/consumer-groups annotation is malformed',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/"just-a-group" in the/)).toBeInTheDocument();
    expect(
      screen.getByText(/<cluster>\/<group>\[,<cluster>\/<group>\.\.\.\]/),
    ).toBeInTheDocument();
    expect(api.getGroups).not.toHaveBeenCalled();
  });

  it('names the annotation when it is missing', async () => {
    render(fakeApi());
    expect(
      await screen.findAllByText(/kafka\.apache\.org\/consumer-groups/),
    ).not.toHaveLength(0);
  });

  it('shows one row per group and the groups that were not found', async () => {
    const api = fakeApi({
      getGroups: jest.fn(async () => ({
        groups: [
          summary({ group: 'webapp-consumer', totalLag: 1200, memberCount: 3 }),
          summary({
            cluster: 'eu',
            group: 'llm.ingestors',
            totalLag: 56000,
            maxLagSeconds: 7500,
            status: 'STALLED',
            memberCount: 0,
            stale: true,
          }),
        ],
        missing: [
          {
            ref: 'eu/ghost',
            reason: 'No consumer group ghost on cluster eu',
          },
        ],
      })),
      getGroup: jest.fn(async ref =>
        ref.group === 'llm.ingestors'
          ? Promise.reject(new Error('boom'))
          : detail(),
      ),
    });
    render(api, 'platform-kafka/webapp-consumer,eu/llm.ingestors,eu/ghost');

    const table = await screen.findByRole('table', { name: 'consumer groups' });
    expect(api.getGroups).toHaveBeenCalledWith([
      { cluster: 'platform-kafka', group: 'webapp-consumer' },
      { cluster: 'eu', group: 'llm.ingestors' },
      { cluster: 'eu', group: 'ghost' },
    ]);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);

    const webapp = within(rows[0]);
    expect(
      webapp.getByRole('link', { name: 'platform-kafka/webapp-consumer' }),
    ).toHaveAttribute(
      'href',
      '/kafka-lag?group=platform-kafka%2Fwebapp-consumer',
    );
    expect(webapp.getByText('1,200')).toBeInTheDocument();
    expect(webapp.getByText('3 min 20 s')).toBeInTheDocument();
    expect(webapp.getByText('OK')).toBeInTheDocument();
    expect(
      webapp.getByRole('img', { name: /total lag growing/ }),
    ).toBeInTheDocument();
    expect(webapp.getByText('3')).toBeInTheDocument();

    const ingestors = within(rows[1]);
    expect(ingestors.getByText('56,000')).toBeInTheDocument();
    expect(ingestors.getByText('2 h 5 min')).toBeInTheDocument();
    expect(ingestors.getByText('STALLED')).toBeInTheDocument();
    expect(ingestors.getByText('(stale)')).toBeInTheDocument();
    // its history request failed: no sparkline, but the row is there
    expect(ingestors.getByLabelText('no lag history')).toBeInTheDocument();

    expect(
      screen.getByText('One consumer group has no figures'),
    ).toBeInTheDocument();
    expect(screen.getByText('eu/ghost')).toBeInTheDocument();
    expect(
      screen.getByText(/No consumer group ghost on cluster eu/),
    ).toBeInTheDocument();
  });

  it('says per group what holds its KEDA ScaledObject, and keeps the row when that request fails', async () => {
    const api = fakeApi({
      getGroups: jest.fn(async () => ({
        groups: [
          summary({ group: 'llm-ingestors' }),
          summary({ group: 'webapp-consumer' }),
          summary({ group: 'audit' }),
        ],
        missing: [],
      })),
      getAutoscaling: jest.fn(async ref => {
        if (ref.group === 'audit') throw new Error('boom');
        return {
          cluster: ref.cluster,
          group: ref.group,
          scaledObjects: ref.group === 'llm-ingestors' ? [scaling()] : [],
          notices: [],
        };
      }),
    });
    render(
      api,
      'platform-kafka/llm-ingestors,platform-kafka/webapp-consumer,platform-kafka/audit',
    );
    const table = await screen.findByRole('table', { name: 'consumer groups' });
    const [ingestors, webapp, audit] = within(table)
      .getAllByRole('row')
      .slice(1)
      .map(r => within(r));
    const chip = ingestors.getByText('Partitions bind');
    await userEvent.hover(chip);
    expect(
      await screen.findByText(
        /^ml\/llm-ingestors: Partitions bind: the lag 48,000/,
      ),
    ).toBeInTheDocument();
    expect(webapp.getByText('none')).toBeInTheDocument();
    expect(audit.getByText('—')).toBeInTheDocument();
    expect(
      audit.getByRole('link', { name: 'platform-kafka/audit' }),
    ).toBeInTheDocument();
  });

  it('shows a failed request as an error panel', async () => {
    render(
      fakeApi({
        getGroups: jest.fn(() => Promise.reject(new Error('offline'))),
      }),
      'platform-kafka/webapp-consumer',
    );
    expect(await screen.findByText('offline')).toBeInTheDocument();
  });
});
