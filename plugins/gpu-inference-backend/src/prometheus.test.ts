import { mockServices } from '@backstage/backend-test-utils';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { PrometheusClient, PrometheusError } from './prometheus';

/*
 * What users see when Prometheus cannot answer: the config key, never the URL; the URL and
 * the cause go to the log. A port nothing listens on is really refused; the non-Prometheus server is a
 * plain HTTP server standing in for a wrong baseUrl (a web page, not Prometheus).
 */
describe('PrometheusClient', () => {
  it('names gpuInference.prometheus.baseUrl, not the URL, when Prometheus is unreachable', async () => {
    // A port that was just free: nothing listens there.
    const probe = http.createServer();
    await new Promise<void>(r => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise(r => probe.close(r));
    const baseUrl = `http://127.0.0.1:${port}`;
    const logger = mockServices.logger.mock();
    const client = new PrometheusClient({ baseUrl, logger });
    const error = await client.query('up').catch(e => e);
    expect(error).toBeInstanceOf(PrometheusError);
    expect(error.message).toBe(
      'Prometheus at gpuInference.prometheus.baseUrl is unreachable',
    );
    expect(logger.warn).toHaveBeenCalledWith('Prometheus is unreachable', {
      baseUrl,
      cause: expect.stringContaining('ECONNREFUSED'),
    });
    // One log line per view, however many of its queries fail.
    await client.query('up').catch(() => undefined);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('says when the URL answers but is not the Prometheus HTTP API', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>Grafana</html>');
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
    const baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }`;
    try {
      const error = await new PrometheusClient({
        baseUrl,
        logger: mockServices.logger.mock(),
      })
        .query('up')
        .catch(e => e);
      expect(error.message).toBe(
        'Prometheus at gpuInference.prometheus.baseUrl did not answer as the Prometheus HTTP API (200): check that it is the Prometheus base URL',
      );
      expect(error.message).not.toContain('127.0.0.1');
    } finally {
      server.close();
    }
  });
});
