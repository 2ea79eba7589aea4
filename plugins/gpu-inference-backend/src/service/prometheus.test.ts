import { mockServices } from '@backstage/backend-test-utils';
import { sandboxEnv } from '@internal/sandbox';
import http from 'node:http';
import net, { AddressInfo } from 'node:net';
import { PrometheusClient, PrometheusError } from './prometheus';
import { closedPort } from './__testUtils__/net';

/*
 * What users see when Prometheus cannot answer: the config key, never the URL; the URL and
 * the cause go to the log. A port nothing listens on is really refused; the non-Prometheus server is a
 * plain HTTP server standing in for a wrong baseUrl (a web page, not Prometheus). The outage
 * that ends is the sandbox's real Prometheus behind a TCP relay that the test opens and closes.
 */
describe('PrometheusClient', () => {
  it('names gpuInference.prometheus.baseUrl, not the URL, when Prometheus is unreachable', async () => {
    const port = await closedPort();
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
    // One log line per outage, however many queries fail.
    await client.query('up').catch(() => undefined);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('logs an outage once, its end once, and the next outage again (sandbox Prometheus)', async () => {
    const target = new URL(sandboxEnv().prometheusUrl);
    const port = await closedPort();
    const sockets = new Set<net.Socket>();
    const relay = net.createServer(client => {
      const upstream = net.connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    const open = () =>
      new Promise<void>(r => relay.listen(port, '127.0.0.1', () => r()));
    const close = () =>
      new Promise<void>(r => {
        relay.close(() => r());
        // Kept-alive connections too: a closed Prometheus answers nothing.
        for (const s of sockets) s.destroy();
      });
    const logger = mockServices.logger.mock();
    const client = new PrometheusClient({
      baseUrl: `http://127.0.0.1:${port}`,
      logger,
    });
    const up = () =>
      client.query('up').then(
        samples => samples.length,
        (e: Error) => e.message,
      );

    expect(await up()).toBe(
      'Prometheus at gpuInference.prometheus.baseUrl is unreachable',
    );
    await up();
    expect(logger.warn).toHaveBeenCalledTimes(1);

    await open();
    try {
      expect(await up()).toBeGreaterThan(0);
      expect(await up()).toBeGreaterThan(0);
      expect(logger.info).toHaveBeenCalledTimes(1);
      expect(logger.info).toHaveBeenCalledWith('Prometheus answers again', {
        baseUrl: `http://127.0.0.1:${port}`,
      });
    } finally {
      await close();
    }

    expect(await up()).toBe(
      'Prometheus at gpuInference.prometheus.baseUrl is unreachable',
    );
    expect(logger.warn).toHaveBeenCalledTimes(2);
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
