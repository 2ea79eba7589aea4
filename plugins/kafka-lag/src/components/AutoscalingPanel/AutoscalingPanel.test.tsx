import { renderInTestApp } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { kafkaLagApiRef } from '../../api';
import { fakeApi, scaling } from '../../testing/fixtures';
import { AutoscalingPanel } from './AutoscalingPanel';

function render(api: ReturnType<typeof fakeApi>) {
  return renderInTestApp(
    <AutoscalingPanel cluster="platform-kafka" group="llm-ingestors" />,
    { apis: [[kafkaLagApiRef, api]] },
  );
}

const answer = (over: object = {}) => ({
  cluster: 'platform-kafka',
  group: 'llm-ingestors',
  scaledObjects: [scaling()],
  notices: [],
  ...over,
});

describe('AutoscalingPanel', () => {
  it('says what binds in one sentence, with the figures and conditions behind it', async () => {
    const api = fakeApi({ getAutoscaling: jest.fn(async () => answer()) });
    await render(api);

    expect(await screen.findByText('Partitions bind')).toBeInTheDocument();
    expect(
      screen.getByText(/the topic has 12 partitions and KEDA does not scale/),
    ).toBeInTheDocument();
    expect(api.getAutoscaling).toHaveBeenCalledWith({
      cluster: 'platform-kafka',
      group: 'llm-ingestors',
    });
    expect(
      screen.getByText('ScaledObject ml/llm-ingestors'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /on eks-data-platform, scaling Deployment llm-ingestors/,
      ),
    ).toBeInTheDocument();
    // lag vs threshold × replicas, partitions vs max, min / max, the HPA's counts
    expect(screen.getByText('48,000')).toBeInTheDocument();
    expect(
      screen.getByText('threshold 500 per replica × 12 = 6,000'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('the lag asks for 96; expected 12'),
    ).toBeInTheDocument();
    expect(screen.getByText('2 / 24')).toBeInTheDocument();
    expect(screen.getByText('12 / 12')).toBeInTheDocument();
    expect(screen.getByText('300 s')).toBeInTheDocument();
    expect(screen.getByText('Ready: True')).toBeInTheDocument();
    expect(screen.getByText('Paused: False')).toBeInTheDocument();
    expect(screen.getByText('ScalingLimited: False')).toBeInTheDocument();

    // A condition's reason is one hover away.
    await userEvent.hover(screen.getByText('ScalingActive: True'));
    expect(await screen.findByText('ValidMetricFound')).toBeInTheDocument();
  });

  it('says paused and shows no HPA figures when KEDA has made none', async () => {
    const api = fakeApi({
      getAutoscaling: jest.fn(async () =>
        answer({
          scaledObjects: [
            scaling({
              reason: 'paused',
              sentence:
                'KEDA does not scale it: paused by the autoscaling.keda.sh/paused annotation; remove the annotation to resume.',
              hpa: undefined,
            }),
          ],
        }),
      ),
    });
    await render(api);
    expect(await screen.findByText('Paused')).toBeInTheDocument();
    expect(
      screen.getByText(/remove the annotation to resume/),
    ).toBeInTheDocument();
    expect(screen.getByText('no HPA in the cluster')).toBeInTheDocument();
    expect(screen.queryByText('HPA', { exact: true })).not.toBeInTheDocument();
  });

  it('says that no ScaledObject scales on the group, and why the list may be incomplete', async () => {
    const notice =
      'No Kubernetes cluster is configured: set kubernetes.clusterLocatorMethods to see the ScaledObjects.';
    await render(
      fakeApi({
        getAutoscaling: jest.fn(async () =>
          answer({ scaledObjects: [], notices: [notice] }),
        ),
      }),
    );
    expect(
      await screen.findByText(/No KEDA ScaledObject scales on this group/),
    ).toBeInTheDocument();
    expect(screen.getByText(notice)).toBeInTheDocument();
  });

  it("shows the backend's error in the panel", async () => {
    const response = new Response(
      JSON.stringify({
        error: {
          name: 'NotFoundError',
          message: 'No Kafka cluster "nope" in kafka.clusters',
        },
        response: { statusCode: 404 },
      }),
      { status: 404, headers: { 'Content-Type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(response);
    await render(
      fakeApi({
        getAutoscaling: jest.fn(async () => {
          throw error;
        }),
      }),
    );
    expect(
      await screen.findByText(
        /404: No Kafka cluster "nope" in kafka\.clusters/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Autoscaling (KEDA)')).toBeInTheDocument();
  });
});
