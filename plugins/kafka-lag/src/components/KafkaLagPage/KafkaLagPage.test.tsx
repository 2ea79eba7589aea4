import { renderInTestApp } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { kafkaLagApiRef } from '../../api';
import { cluster, detail, fakeApi, summary } from '../../testing/fixtures';
import { KafkaLagPage } from './KafkaLagPage';

function render(api: ReturnType<typeof fakeApi>, initialEntry = '/kafka-lag') {
  return renderInTestApp(<KafkaLagPage />, {
    apis: [[kafkaLagApiRef, api]],
    mountPath: '/kafka-lag',
    initialRouteEntries: [initialEntry],
  });
}

describe('KafkaLagPage', () => {
  it('lists the groups of every cluster, worst status first', async () => {
    const api = fakeApi({
      listClusters: jest.fn(async () => [
        cluster({
          groups: [
            summary({
              group: 'webapp-consumer',
              status: 'OK',
              maxLagSeconds: 600,
              maxLagSecondsIsLowerBound: true,
            }),
            summary({
              group: 'billing',
              status: 'STALLED',
              totalLag: 98765,
              maxLagSeconds: 200,
              timeToDrainSeconds: null,
              memberCount: 2,
              state: 'Stable',
            }),
          ],
        }),
        cluster({
          name: 'eu',
          groups: [
            summary({
              cluster: 'eu',
              group: 'llm.ingestors',
              status: 'WARNING',
            }),
          ],
        }),
      ]),
    });
    render(api);

    expect(await screen.findByText('Consumer groups (3)')).toBeInTheDocument();
    const rows = screen.getAllByRole('row').slice(1);
    expect(
      rows.map(r => within(r).getAllByRole('cell')[1].textContent),
    ).toEqual(['billing', 'llm.ingestors', 'webapp-consumer']);
    const billing = within(rows[0]);
    expect(billing.getByText('platform-kafka')).toBeInTheDocument();
    expect(billing.getByText('98,765')).toBeInTheDocument();
    expect(billing.getByText('3 min 20 s')).toBeInTheDocument();
    expect(billing.getByText('not draining')).toBeInTheDocument();
    expect(billing.getByText('STALLED')).toBeInTheDocument();
    expect(within(rows[2]).getByText('1 min 35 s')).toBeInTheDocument();
    // Older than the stored history: a lower bound.
    expect(within(rows[2]).getByText('≥ 10 min')).toBeInTheDocument();
  });

  it('says plainly that no clusters are configured, naming kafka.clusters', async () => {
    render(fakeApi({ listClusters: jest.fn(async () => []) }));

    expect(
      await screen.findByText('No Kafka clusters are configured'),
    ).toBeInTheDocument();
    expect(screen.getByText('kafka.clusters')).toBeInTheDocument();
    expect(screen.getByText(/add them under/).textContent).toContain(
      'No Kafka clusters are configured: add them under kafka.clusters in app-config.yaml',
    );
  });

  it('warns about a stale cluster while still showing the other clusters', async () => {
    const lastSampleAt = new Date(Date.now() - 200_000).toISOString();
    render(
      fakeApi({
        listClusters: jest.fn(async () => [
          cluster({
            name: 'eu',
            stale: true,
            error: 'KafkaJSConnectionError: Connection timeout',
            lastSampleAt,
            groups: [
              summary({ cluster: 'eu', group: 'old-figures', stale: true }),
            ],
          }),
          cluster({
            name: 'us',
            groups: [summary({ cluster: 'us', group: 'fresh' })],
          }),
          cluster({
            name: 'new',
            stale: true,
            error: 'getaddrinfo ENOTFOUND broker',
            lastSampleAt: null,
            groups: [],
          }),
        ]),
      }),
    );

    const banner = await screen.findByTestId('cluster-problem-eu');
    expect(banner).toHaveTextContent(
      'Kafka cluster eu: the latest sampling failed',
    );
    expect(banner).toHaveTextContent(
      'KafkaJSConnectionError: Connection timeout',
    );
    expect(banner).toHaveTextContent(
      /figures below are from 3 min \d+ s ago \(last good sample at /,
    );
    expect(screen.getByTestId('cluster-problem-new')).toHaveTextContent(
      'Kafka cluster new has never been sampled successfully',
    );
    expect(screen.queryByTestId('cluster-problem-us')).not.toBeInTheDocument();
    expect(screen.getByText('fresh')).toBeInTheDocument();
    expect(screen.getByText('old-figures')).toBeInTheDocument();
    expect(screen.getByText('(stale)')).toBeInTheDocument();
  });

  it("shows the backend's error message when loading fails", async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message: 'Not allowed to read Kafka consumer lag',
          },
          response: { statusCode: 403 },
        }),
        { status: 403, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    render(
      fakeApi({ listClusters: jest.fn(async () => Promise.reject(error)) }),
    );

    expect(
      await screen.findByText(/403: Not allowed to read Kafka consumer lag/),
    ).toBeInTheDocument();
  });

  it('opens a group’s detail from the table and goes back', async () => {
    const api = fakeApi();
    render(api);

    await userEvent.click(
      await screen.findByRole('link', { name: 'webapp-consumer' }),
    );

    expect(await screen.findByText('Partitions (3)')).toBeInTheDocument();
    expect(api.getGroup).toHaveBeenCalledWith(
      { cluster: 'platform-kafka', group: 'webapp-consumer' },
      3600,
    );
    await userEvent.click(
      screen.getByRole('link', { name: /All consumer groups/ }),
    );
    expect(await screen.findByText('Consumer groups (1)')).toBeInTheDocument();
  });

  it('opens the detail named in the URL', async () => {
    const api = fakeApi({
      getGroup: jest.fn(async () =>
        detail({ cluster: 'eu', group: 'llm.ingestors' }),
      ),
    });
    render(api, '/kafka-lag?group=eu%2Fllm.ingestors');

    expect(await screen.findByText('Partitions (3)')).toBeInTheDocument();
    expect(api.getGroup).toHaveBeenCalledWith(
      { cluster: 'eu', group: 'llm.ingestors' },
      3600,
    );
    expect(
      screen.getByRole('heading', { name: /llm\.ingestors/ }),
    ).toHaveTextContent('llm.ingestors on eu');
    expect(api.listClusters).not.toHaveBeenCalled();
  });

  it('rejects a malformed group reference in the URL', async () => {
    const api = fakeApi();
    render(api, '/kafka-lag?group=no-slash');

    expect(
      await screen.findByText(/“no-slash” is not a consumer group reference/),
    ).toBeInTheDocument();
    expect(api.getGroup).not.toHaveBeenCalled();
  });
});
