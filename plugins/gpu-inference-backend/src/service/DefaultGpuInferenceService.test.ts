/*
 * The service over a hand-built cluster cache and the mock catalog, without the sandbox:
 * what each view answers when Prometheus is not configured or refuses connections (a port
 * nothing listens on), and the request failures. plugin.test.ts runs it against the sandbox.
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { InputError, NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-cluster-health-common';
import {
  ClusterCache,
  ClusterView,
  DEFAULT_NODE_GROUP_LABELS,
} from '@internal/plugin-cluster-health-node';
import { GpuInferenceConfig } from '../config';
import { DefaultGpuInferenceService } from './DefaultGpuInferenceService';
import { cluster, gpuNode, pendingPod } from './__testUtils__/cluster';
import { modelServerEntity } from './__testUtils__/entities';
import { closedPort } from './__testUtils__/net';

const credentials = mockCredentials.user('user:default/alice');

const entities = [
  modelServerEntity({
    name: 'llm-chat-server',
    selector: 'job="model-server",model_name="llama"',
  }),
  modelServerEntity({ name: 'plain-service' }),
  modelServerEntity({
    name: 'bad-selector',
    selector: 'job="x"} or vector(1) or {a="b"',
  }),
];

function cacheOf(...clusters: ClusterView[]): ClusterCache {
  return {
    clusters: () => clusters,
    cluster: name => clusters.find(c => c.name === name),
    unsupported: () => [],
    ready: async () => undefined,
  };
}

const eks = () =>
  cluster('eks', {
    nodes: [gpuNode('gpu-1', 8, { 'eks.amazonaws.com/nodegroup': 'gpu' })],
    pods: [
      pendingPod('ml', 'llm-chat-server-1', 4, {
        labels: { [KUBERNETES_ID_LABEL]: 'llm-chat-server' },
      }),
    ],
  });

function service(prometheusUrl?: string) {
  const logger = mockServices.logger.mock();
  const config: GpuInferenceConfig = {
    prometheusUrl,
    idleThresholdPercent: 10,
    idleWindow: '30m',
    nodeGroupLabels: DEFAULT_NODE_GROUP_LABELS,
  };
  return {
    logger,
    service: DefaultGpuInferenceService.create({
      config,
      cache: cacheOf(eks()),
      catalog: catalogServiceMock({ entities }),
      logger,
    }),
  };
}

describe('DefaultGpuInferenceService', () => {
  it('serves capacity and pending pods without Prometheus, saying which key to set', async () => {
    const { service: s, logger } = service();
    const fleet = await s.getFleet({ credentials });
    expect(fleet.capacity.map(c => [c.cluster, c.nodeGroup, c.free])).toEqual([
      ['eks', 'gpu', 8],
    ]);
    expect(fleet.pending.map(p => [p.pod, p.entityRef])).toEqual([
      ['llm-chat-server-1', 'component:default/llm-chat-server'],
    ]);
    expect(fleet.prometheus).toEqual({
      status: 'not-configured',
      message:
        'Set gpuInference.prometheus.baseUrl to the Prometheus that scrapes the DCGM exporter',
    });
    expect(fleet.queries).toBe(0);
    expect(logger.info).toHaveBeenCalledWith(
      'Prometheus not configured: the GPU use, waste and model-server panels say so',
      { configKey: 'gpuInference.prometheus.baseUrl' },
    );

    const view = await s.getModelServer(
      { entityRef: 'component:default/llm-chat-server', range: '1h' },
      { credentials },
    );
    expect(view).toEqual({
      entityRef: 'component:default/llm-chat-server',
      selector: 'job="model-server",model_name="llama"',
      prometheus: {
        status: 'not-configured',
        message: 'Set gpuInference.prometheus.baseUrl',
      },
      saturation: 'unknown',
      verdict: '',
      series: [],
      gpus: [],
    });
  });

  it('answers a view naming the annotation for an entity without one', async () => {
    const view = await service().service.getModelServer(
      { entityRef: 'component:default/plain-service', range: '6h' },
      { credentials },
    );
    expect(view).toMatchObject({
      entityRef: 'component:default/plain-service',
      saturation: 'unknown',
      verdict:
        'No ml-platform.io/model-server-selector annotation: add the PromQL label matchers of its vLLM metrics',
    });
    expect(view.selector).toBeUndefined();
  });

  it('throws InputError for a malformed ref or selector and NotFoundError for a missing entity', async () => {
    const { service: s } = service();
    const ask = (entityRef: string) =>
      s.getModelServer({ entityRef, range: '1h' }, { credentials });
    await expect(ask('component:')).rejects.toThrow(InputError);
    await expect(ask('component:')).rejects.toThrow(/^entityRef: /);
    await expect(ask('component:default/bad-selector')).rejects.toThrow(
      new InputError(
        'ml-platform.io/model-server-selector: not a list of PromQL label matchers: job="x"} or vector(1) or {a="b" (expected e.g. job="model-server",model_name="my-model")',
      ),
    );
    await expect(ask('component:default/nowhere')).rejects.toThrow(
      new NotFoundError('No entity component:default/nowhere'),
    );
  });

  it('keeps serving capacity when Prometheus refuses connections, and logs the outage once across views', async () => {
    const port = await closedPort();
    const { service: s, logger } = service(`http://127.0.0.1:${port}`);
    const unreachable = {
      status: 'unreachable',
      message: 'Prometheus at gpuInference.prometheus.baseUrl is unreachable',
    };
    const fleet = await s.getFleet({ credentials });
    expect(fleet.prometheus).toEqual(unreachable);
    expect(fleet.capacity).toHaveLength(1);
    expect(fleet.gpus).toEqual([]);
    expect(fleet.queries).toBe(2);

    const view = await s.getModelServer(
      { entityRef: 'component:default/llm-chat-server', range: '1h' },
      { credentials },
    );
    expect(view.prometheus).toEqual(unreachable);
    expect(view.figures).toBeUndefined();
    expect(view.saturation).toBe('unknown');
    expect(JSON.stringify([fleet, view])).not.toContain(String(port));

    // A second fleet view counts its own queries, not the client's.
    expect((await s.getFleet({ credentials })).queries).toBe(2);
    // One client for the plugin: one outage, one log line with the URL and the cause.
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith('Prometheus is unreachable', {
      baseUrl: `http://127.0.0.1:${port}`,
      cause: expect.stringContaining('ECONNREFUSED'),
    });
  });
});
