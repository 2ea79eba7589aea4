import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  MODEL_SERVER_SELECTOR_ANNOTATION,
  ModelServerView,
} from '@internal/plugin-gpu-inference-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { GpuInferenceApi, gpuInferenceApiRef } from '../../api';
import { gpu } from '../../testing/fixtures';
import { ModelServerCard } from './ModelServerCard';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'llm-chat-server',
    annotations: {
      [MODEL_SERVER_SELECTOR_ANNOTATION]: 'job="model-server"',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'ml-engineering' },
};

function view(overrides: Partial<ModelServerView> = {}): ModelServerView {
  return {
    entityRef: 'component:default/llm-chat-server',
    selector: 'job="model-server"',
    prometheus: { status: 'ok' },
    figures: {
      requestsRunning: 4,
      requestsWaiting: 9,
      ttftP50: 0.12,
      ttftP95: 1.5,
      promptTokensPerSecond: 210.04,
      generationTokensPerSecond: 88.25,
      kvCacheUsage: 0.42,
    },
    saturation: 'queueing',
    verdict: 'requests wait for a sequence slot',
    series: [
      { t: 0, ttftP95: 1, waiting: 2 },
      { t: 60, ttftP95: 1.5, waiting: 9 },
    ],
    gpus: [gpu],
    ...overrides,
  };
}

async function render(value: ModelServerView) {
  const api: GpuInferenceApi = {
    getFleet: jest.fn(),
    getModelServer: jest.fn(async () => value),
  };
  await renderInTestApp(
    <EntityProvider entity={entity}>
      <ModelServerCard />
    </EntityProvider>,
    { apis: [[gpuInferenceApiRef, api]] },
  );
  return api;
}

describe('ModelServerCard', () => {
  it("shows the model server's saturation, figures, series and GPUs, and asks again for another range", async () => {
    const api = await render(view());
    expect(
      await screen.findByText('queueing: requests wait for a sequence slot'),
    ).toBeInTheDocument();
    expect(screen.getByText('4 / 9')).toBeInTheDocument();
    expect(screen.getByText('120 ms / 1.50 s')).toBeInTheDocument();
    expect(screen.getByText('210.0 / 88.3')).toBeInTheDocument();
    expect(screen.getByText('42%')).toBeInTheDocument();
    expect(
      screen.getByText(/Requests waiting, last 1h \(peak 9\)/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'TTFT p95 over time' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'GPUs' })).toHaveTextContent(
      'llm-chat-server-b',
    );
    expect(api.getModelServer).toHaveBeenCalledWith(
      'component:default/llm-chat-server',
      '1h',
    );
    fireEvent.click(screen.getByRole('button', { name: '6 h' }));
    await waitFor(() =>
      expect(api.getModelServer).toHaveBeenCalledWith(
        'component:default/llm-chat-server',
        '6h',
      ),
    );
  });

  it('says Prometheus is unreachable, naming the key, instead of the figures', async () => {
    await render(
      view({
        prometheus: {
          status: 'unreachable',
          message:
            'Prometheus at gpuInference.prometheus.baseUrl is unreachable',
        },
        figures: undefined,
        saturation: 'unknown',
        series: [],
        gpus: [],
      }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Prometheus at gpuInference.prometheus.baseUrl is unreachable',
    );
    expect(screen.queryByText('TTFT p50 / p95')).not.toBeInTheDocument();
  });

  it('names the annotation to add when the entity has no selector', async () => {
    await render(
      view({
        selector: undefined,
        figures: undefined,
        saturation: 'unknown',
        verdict:
          'Add the ml-platform.io/model-server-selector annotation to see its figures',
        series: [],
        gpus: [],
      }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Add the ml-platform.io/model-server-selector annotation',
    );
  });
});
