/*
 * The plugin in a test backend against the sandbox's real parts (`scripts/sandbox up k8s
 * model metrics`): capacity from the cluster cache of the real API server, use from the real
 * Prometheus scraping the GPU exporter and the model server; and a second backend whose
 * Prometheus cannot be reached.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  FleetView,
  ModelServerView,
} from '@internal/plugin-gpu-inference-common';
import { runLoad, sandboxEnv } from '@internal/sandbox';
import { KubeConfig } from '@kubernetes/client-node';
import request from 'supertest';
import { gpuInferencePlugin } from './plugin';

jest.setTimeout(180_000);

const env = sandboxEnv();
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function token() {
  const config = new KubeConfig();
  config.loadFromFile(env.k8s.kubeconfigs.portal);
  return config.getCurrentUser()!.token!;
}

function component(name: string, owner: string, selector?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-id': name,
        ...(selector
          ? { 'ml-platform.io/model-server-selector': selector }
          : {}),
      },
    },
    spec: { type: 'model-server', lifecycle: 'production', owner },
  };
}

async function start(prometheusUrl: string) {
  const { server } = await startTestBackend({
    features: [
      gpuInferencePlugin,
      catalogServiceMock.factory({
        entities: [
          component(
            'llm-chat-server',
            'group:default/ml-engineering',
            'job="model-server",model_name="llama-3.1-8b-instruct"',
          ),
          component(
            'embedding-server',
            'group:default/ml-engineering',
            'job="model-server",model_name="all-MiniLM-L6-v2"',
          ),
        ],
      }),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'eks-data-platform',
                    url: env.k8s.url,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: token(),
                    caFile: env.k8s.caFile,
                  },
                ],
              },
            ],
          },
          gpuInference: {
            prometheus: { baseUrl: prometheusUrl },
            idleWindow: '2m',
          },
        },
      }),
    ],
  });
  return server;
}

async function fleet(server: any): Promise<FleetView> {
  for (let i = 0; i < 60; i++) {
    const res = await request(server).get('/api/gpu-inference/fleet');
    expect(res.status).toBe(200);
    if (res.body.capacity.length > 0) return res.body;
    await sleep(500);
  }
  throw new Error('the cluster cache did not fill within 30 s');
}

it('counts GPUs per node group, lists the pending GPU pod, joins each GPU to its owner, and finds the waste', async () => {
  const server = await start(env.prometheusUrl);
  const view = await fleet(server);
  const byModel = Object.fromEntries(view.capacity.map(c => [c.gpuModel, c]));
  expect(byModel['NVIDIA-A100-SXM4-40GB']).toMatchObject({
    nodeGroup: 'gpu',
    allocatable: 8,
    allocated: 8,
    free: 0,
    freePerNode: [0],
  });
  expect(byModel['NVIDIA-A10G']).toMatchObject({
    nodeGroup: 'gpu',
    allocatable: 1,
    allocated: 1,
    largestFit: 0,
  });
  expect(view.pending).toEqual([
    expect.objectContaining({
      gpus: 4,
      entityRef: 'component:default/llm-chat-server',
      message: expect.stringContaining('Insufficient nvidia.com/gpu'),
    }),
  ]);

  expect(view.prometheus.status).toBe('ok');
  expect(view.queries).toBe(2);
  expect(view.gpus).toHaveLength(9);
  expect(view.gpus.find(g => g.xidErrors > 0)).toMatchObject({
    node: 'ip-10-0-5-9.eu-west-1.compute.internal',
    gpu: '7',
  });
  for (const gpu of view.gpus)
    expect(gpu.ownerRef).toBe('group:default/ml-engineering');

  // The second chat replica holds four GPUs and does nothing with them.
  const wasted = view.waste.filter(
    g => g.entityRef === 'component:default/llm-chat-server',
  );
  expect(wasted.length).toBeGreaterThanOrEqual(4);
  expect(wasted[0].gpuHoursWasted).toBeGreaterThan(0);
});

it("moves the model server's figures under load, with a verdict", async () => {
  const server = await start(env.prometheusUrl);
  await fleet(server);

  const load = runLoad({ url: env.modelUrl, rps: 12, seconds: 12 });
  let view: ModelServerView | undefined;
  for (let i = 0; i < 40; i++) {
    await sleep(1000);
    const res = await request(server).get(
      '/api/gpu-inference/entity?entityRef=component:default/llm-chat-server',
    );
    expect(res.status).toBe(200);
    view = res.body;
    if (
      (view!.figures?.requestsRunning ?? 0) +
        (view!.figures?.requestsWaiting ?? 0) >
        0 &&
      view!.figures?.ttftP95 !== undefined
    )
      break;
  }
  await load;
  expect(view!.prometheus.status).toBe('ok');
  expect(
    view!.figures!.requestsRunning + view!.figures!.requestsWaiting,
  ).toBeGreaterThan(0);
  expect(view!.figures!.ttftP95).toBeGreaterThan(0);
  expect(['healthy', 'queueing', 'gpu-saturated', 'kv-cache-full']).toContain(
    view!.saturation,
  );
  expect(view!.verdict).not.toBe('');
  expect(view!.gpus.map(g => g.pod)).toHaveLength(8);
});

it('still serves capacity when Prometheus is down, and says which key to check', async () => {
  const server = await start('http://127.0.0.1:1');
  const view = await fleet(server);
  expect(view.capacity.length).toBeGreaterThan(0);
  expect(view.prometheus.status).toBe('unreachable');
  expect(view.prometheus.message).toContain('gpuInference.prometheus.baseUrl');
  const entity = await request(server).get(
    '/api/gpu-inference/entity?entityRef=component:default/embedding-server',
  );
  expect(entity.status).toBe(200);
  expect(entity.body.prometheus.status).toBe('unreachable');
});
