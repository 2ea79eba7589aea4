import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { PrometheusNotice } from './PrometheusNotice';

describe('PrometheusNotice', () => {
  it('shows the figures when Prometheus answered', async () => {
    await renderInTestApp(
      <PrometheusNotice prometheus={{ status: 'ok' }}>
        <span>the figures</span>
      </PrometheusNotice>,
    );
    expect(await screen.findByText('the figures')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('names the key to set instead of the figures when Prometheus is not configured', async () => {
    await renderInTestApp(
      <PrometheusNotice
        prometheus={{
          status: 'not-configured',
          message: 'set gpuInference.prometheus.baseUrl',
        }}
      >
        <span>the figures</span>
      </PrometheusNotice>,
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Prometheus is not configured: set gpuInference.prometheus.baseUrl',
    );
    expect(screen.queryByText('the figures')).not.toBeInTheDocument();
  });

  it('says Prometheus is unreachable instead of the figures', async () => {
    await renderInTestApp(
      <PrometheusNotice
        prometheus={{
          status: 'unreachable',
          message:
            'Prometheus at gpuInference.prometheus.baseUrl is unreachable',
        }}
      >
        <span>the figures</span>
      </PrometheusNotice>,
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /^Prometheus at gpuInference\.prometheus\.baseUrl is unreachable$/,
    );
    expect(screen.queryByText('the figures')).not.toBeInTheDocument();
  });
});
