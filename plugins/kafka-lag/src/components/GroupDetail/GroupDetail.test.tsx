import { renderInTestApp } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { kafkaLagApiRef } from '../../api';
import { detail, fakeApi } from '../../testing/fixtures';
import { GroupDetail } from './GroupDetail';

function render(api: ReturnType<typeof fakeApi>) {
  return renderInTestApp(
    <GroupDetail cluster="platform-kafka" group="webapp-consumer" />,
    { apis: [[kafkaLagApiRef, api]] },
  );
}

describe('GroupDetail', () => {
  it('shows the figures, partitions with their flags, and members', async () => {
    const api = fakeApi({
      getGroup: jest.fn(async () =>
        detail({ status: 'STALLED', maxLagSeconds: 7200, totalLag: 2700 }),
      ),
    });
    render(api);

    expect(await screen.findByText('Partitions (3)')).toBeInTheDocument();
    expect(screen.getByText('2,700')).toBeInTheDocument();
    // the worst partition's lag is a lower bound
    expect(screen.getAllByText('≥ 2 h')).toHaveLength(2);

    const partitionRows = within(
      screen
        .getByText('Partitions (3)')
        .closest('.MuiPaper-root') as HTMLElement,
    ).getAllByRole('row');
    // worst status first
    const stalled = within(partitionRows[1]);
    expect(stalled.getByText('STALLED')).toBeInTheDocument();
    expect(
      stalled.getByText('below log start (data skipped)'),
    ).toBeInTheDocument();
    const never = partitionRows.find(r => within(r).queryByText('UNKNOWN'))!;
    expect(within(never).getByText('never committed')).toBeInTheDocument();
    expect(within(never).getByText('never')).toBeInTheDocument();

    expect(screen.getByText('Members (1)')).toBeInTheDocument();
    expect(screen.getByText('/10.0.0.7')).toBeInTheDocument();
    expect(screen.getByText('orders: 0, 1')).toBeInTheDocument();
  });

  it('keeps a long member id on one line, whole in its tooltip', async () => {
    const memberId =
      'webapp-consumer-7d9f8b6c5-x2x4z-0f3c6a2e-5b1d-4c8e-9a7f-2d4b6c8e0a1f';
    const base = detail();
    render(
      fakeApi({
        getGroup: jest.fn(async () => ({
          ...base,
          partitions: base.partitions.map(p => ({ ...p, memberId })),
          members: base.members.map(m => ({ ...m, memberId })),
        })),
      }),
    );
    await screen.findByText('Partitions (3)');
    const cells = screen.getAllByTitle(memberId);
    // one per partition, one in the members table
    expect(cells).toHaveLength(base.partitions.length + base.members.length);
    for (const cell of cells) {
      expect(cell).toHaveTextContent(memberId);
      expect(cell).toHaveStyle({
        whiteSpace: 'nowrap',
        textOverflow: 'ellipsis',
        overflow: 'hidden',
      });
    }
  });

  it('reloads the history for the chosen window', async () => {
    const getGroup = jest
      .fn()
      .mockResolvedValueOnce(detail())
      .mockResolvedValueOnce(detail({ totalLag: 4242 }));
    const api = fakeApi({ getGroup });
    render(api);
    await screen.findByText('Partitions (3)');
    expect(api.getGroup).toHaveBeenLastCalledWith(
      { cluster: 'platform-kafka', group: 'webapp-consumer' },
      3600,
    );

    await userEvent.click(screen.getByRole('button', { name: '24 h' }));
    expect(await screen.findByText('4,242')).toBeInTheDocument();

    expect(api.getGroup).toHaveBeenLastCalledWith(
      { cluster: 'platform-kafka', group: 'webapp-consumer' },
      86400,
    );
    expect(screen.getByRole('button', { name: '24 h' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
  });

  it('warns when the figures are stale', async () => {
    render(fakeApi({ getGroup: jest.fn(async () => detail({ stale: true })) }));
    expect(
      await screen.findByText(
        /latest sampling of cluster platform-kafka failed/,
      ),
    ).toBeInTheDocument();
  });

  it('shows why a never-sampled cluster has no figures', async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'ServiceUnavailableError',
            message:
              'Cluster platform-kafka has never been sampled: KafkaJSConnectionError: Connection timeout',
          },
          response: { statusCode: 503 },
        }),
        { status: 503, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    render(fakeApi({ getGroup: jest.fn(() => Promise.reject(error)) }));

    expect(
      await screen.findByText(
        /503: Cluster platform-kafka has never been sampled/,
      ),
    ).toBeInTheDocument();
  });
});
