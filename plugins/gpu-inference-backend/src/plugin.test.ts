/*
 * The plugin in a test backend against the sandbox's real parts (`scripts/sandbox up k8s
 * model metrics`): capacity from the cluster cache of the real API server, use from the real
 * Prometheus scraping the GPU exporter and the model server; a backend whose Prometheus and
 * second cluster cannot be reached; and one with the real catalog and permission backends,
 * whose policy hides an entity from one user.
 */
import {
  AuthService,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  FleetView,
  ModelServerView,
} from '@internal/plugin-gpu-inference-common';
import { runLoad, sandboxCluster, sandboxEnv } from '@internal/sandbox';
import request from 'supertest';
import { gpuInferencePlugin } from './plugin';
import { modelServerEntity } from './service/__testUtils__/entities';
import { closedPort } from './service/__testUtils__/net';

jest.setTimeout(180_000);

const env = sandboxEnv();
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const RESTRICTED_LABEL = 'ml-platform.io/restricted';

const entities = () => [
  modelServerEntity({
    name: 'llm-chat-server',
    selector: 'job="model-server",model_name="llama-3.1-8b-instruct"',
    labels: { [RESTRICTED_LABEL]: 'true' },
  }),
  modelServerEntity({
    name: 'embedding-server',
    selector: 'job="model-server",model_name="all-MiniLM-L6-v2"',
  }),
];

const eksCluster = () =>
  sandboxCluster('eks-data-platform', env.k8s.kubeconfigs.portal);

function config(prometheusUrl: string, clusters = [eksCluster()]) {
  return mockServices.rootConfig.factory({
    data: {
      permission: { enabled: true },
      kubernetes: {
        clusterLocatorMethods: [{ type: 'config', clusters }],
      },
      gpuInference: {
        prometheus: { baseUrl: prometheusUrl },
        idleWindow: '2m',
      },
    },
  });
}

async function start(
  prometheusUrl: string,
  clusters = [eksCluster()],
): Promise<any> {
  const { server } = await startTestBackend({
    features: [
      gpuInferencePlugin,
      catalogServiceMock.factory({ entities: entities() }),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            clusterLocatorMethods: [{ type: 'config', clusters }],
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

async function fleet(server: any, user?: string): Promise<FleetView> {
  for (let i = 0; i < 60; i++) {
    const res = await request(server)
      .get('/api/gpu-inference/fleet')
      .set('Authorization', mockCredentials.user.header(user));
    expect(res.status).toBe(200);
    if (res.body.capacity.length > 0) return res.body;
    await sleep(500);
  }
  throw new Error('the cluster cache did not fill within 30 s');
}

it('counts GPUs per node group, lists the pending GPU pod, joins each GPU to its owner, and finds the waste', async () => {
  const server = await start(env.prometheusUrl);
  const view = await fleet(server);
  expect(view.clusters).toEqual([
    { cluster: 'eks-data-platform', status: 'ok' },
  ]);
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

it('reads the model server as queueing when the load exceeds its sequence limit', async () => {
  const server = await start(env.prometheusUrl);
  await fleet(server);

  // 30 requests/s against --max-num-seqs 4: an answer takes about 0.3 s on an idle machine
  // (longer on a busy one), so ~10 are in flight and ~6 wait at every scrape. (12/s kept
  // only ~4 in flight when the machine was idle, and the waiting gauge was 0 at most
  // scrapes.) The second chat replica's four GPUs idle by design, so the GPUs are not all
  // saturated.
  const load = runLoad({ url: env.modelUrl, rps: 30, seconds: 15 });
  let view: ModelServerView | undefined;
  const seen: string[] = [];
  for (let i = 0; i < 40; i++) {
    await sleep(1000);
    const res = await request(server).get(
      '/api/gpu-inference/entity?entityRef=component:default/llm-chat-server',
    );
    expect(res.status).toBe(200);
    view = res.body;
    seen.push(
      `waiting ${view!.figures?.requestsWaiting}, ttftP95 ${
        view!.figures?.ttftP95
      }, GPUs ${view!.gpus.map(g => g.utilisation).join('/')}`,
    );
    // Prometheus scrapes the model server and the GPU exporter (which follows the model
    // server's load) at different moments: wait until both scrapes have seen the load.
    if (
      (view!.figures?.requestsWaiting ?? 0) > 0 &&
      view!.figures?.ttftP95 !== undefined &&
      view!.gpus.some(g => g.utilisation >= 10)
    )
      break;
  }
  const report = await load;
  if (!view!.gpus.some(g => g.utilisation >= 10)) {
    // What each view saw, to tell a load that never queued from an exporter that lagged.
    throw new Error(
      `no view saw requests waiting and busy GPUs together; load: ${JSON.stringify(
        report,
      )}; views: ${seen.join('; ')}`,
    );
  }
  expect(view!.prometheus.status).toBe('ok');
  const f = view!.figures!;
  expect(f.requestsWaiting).toBeGreaterThan(0);
  expect(f.requestsRunning).toBeGreaterThan(0);
  expect(f.ttftP95).toBeGreaterThan(0);
  // The controlled input: KV cache far from full, some of its GPUs idle.
  expect(f.kvCacheUsage).toBeLessThan(0.9);
  expect(view!.gpus).toHaveLength(8);
  expect(view!.gpus.filter(g => g.utilisation < 10)).toHaveLength(4);
  expect(view!.saturation).toBe('queueing');
  expect(view!.verdict).toBe(
    `${f.requestsWaiting} requests waiting with GPUs not saturated: the server's concurrent-sequence limit is the bottleneck`,
  );
});

it('still serves capacity when Prometheus and a second cluster are down, naming the key and the cluster, not their URLs', async () => {
  const prometheusPort = await closedPort();
  const clusterPort = await closedPort();
  const server = await start(`http://127.0.0.1:${prometheusPort}`, [
    eksCluster(),
    {
      name: 'eks-unreachable',
      url: `https://127.0.0.1:${clusterPort}`,
      authProvider: 'serviceAccount',
      serviceAccountToken: 'not-used',
      caFile: env.k8s.caFile,
    },
  ]);
  let view = await fleet(server);
  for (let i = 0; i < 20 && view.clusters[1].status === 'starting'; i++) {
    await sleep(500);
    view = (await request(server).get('/api/gpu-inference/fleet')).body;
  }
  expect(view.clusters).toEqual([
    { cluster: 'eks-data-platform', status: 'ok' },
    {
      cluster: 'eks-unreachable',
      status: 'unavailable',
      message:
        'Cluster eks-unreachable cannot be read (nodes: error, pods: error): no GPU figures; check cluster eks-unreachable under kubernetes.clusterLocatorMethods (the backend log has the cause)',
    },
  ]);
  expect(view.capacity.length).toBeGreaterThan(0);
  expect(new Set(view.capacity.map(c => c.cluster))).toEqual(
    new Set(['eks-data-platform']),
  );
  expect(view.prometheus).toEqual({
    status: 'unreachable',
    message: 'Prometheus at gpuInference.prometheus.baseUrl is unreachable',
  });
  const entity = await request(server).get(
    '/api/gpu-inference/entity?entityRef=component:default/embedding-server',
  );
  expect(entity.status).toBe(200);
  expect(entity.body.prometheus).toEqual(view.prometheus);
  for (const body of [JSON.stringify(view), JSON.stringify(entity.body)]) {
    expect(body).not.toContain(String(prometheusPort));
    expect(body).not.toContain(String(clusterPort));
    expect(body).not.toContain(env.k8s.url);
  }
});

/** The test's entities, through the real catalog's processing. */
const entitiesModule = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'gpu-inference-test-entities',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addEntityProvider({
          getProviderName: () => 'gpu-inference-test',
          async connect(connection) {
            await connection.applyMutation({
              type: 'full',
              entities: entities().map(entity => ({
                entity,
                locationKey: 'gpu-inference-test',
              })),
            });
          },
        });
      },
    });
  },
});

/**
 * The mock auth service, except that a token a plugin gets on behalf of a user names the
 * plugin as its actor, as the real auth service's tokens do: the permission backend gives
 * conditional decisions (the catalog's read filter) to plugins, never to users directly.
 */
const authWithActor = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const mock = mockServices.auth({ pluginId: plugin.getId() });
    const auth: AuthService = Object.create(mock);
    auth.getPluginRequestToken = async options => {
      const principal = options.onBehalfOf.principal as {
        type: string;
        userEntityRef?: string;
      };
      if (principal.type !== 'user' || !principal.userEntityRef)
        return mock.getPluginRequestToken(options);
      return {
        token: mockCredentials.user.token(principal.userEntityRef, {
          actor: { subject: `plugin:${plugin.getId()}` },
        }),
      };
    };
    return auth;
  },
});

const OUTSIDER = 'user:default/outsider';
const INSIDER = 'user:default/insider';

/** The outsider may not read entities labelled restricted; everything else is allowed. */
const restrictingPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'restrict-entities',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(req, user) {
            if (
              isPermission(req.permission, catalogEntityReadPermission) &&
              user?.info.userEntityRef === OUTSIDER
            ) {
              return createCatalogConditionalDecision(req.permission, {
                not: catalogConditions.hasLabel({ label: RESTRICTED_LABEL }),
              });
            }
            return { result: AuthorizeResult.ALLOW };
          },
        });
      },
    });
  },
});

it('links GPUs and pods only to entities the asker may read in the catalog', async () => {
  const { server } = await startTestBackend({
    features: [
      gpuInferencePlugin,
      catalogBackend,
      entitiesModule,
      permissionBackend,
      restrictingPolicy,
      authWithActor,
      config(env.prometheusUrl),
    ],
  });
  // The catalog has processed both entities (the insider sees them).
  for (let i = 0; ; i++) {
    const res = await request(server)
      .get('/api/catalog/entities/by-query?filter=kind=component')
      .set('Authorization', mockCredentials.user.header(INSIDER));
    if (res.body.items?.length === 2) break;
    if (i > 60)
      throw new Error('the catalog did not process the entities in 30 s');
    await sleep(500);
  }
  const restricted = 'component:default/llm-chat-server';

  const insider = await fleet(server, INSIDER);
  expect(insider.pending.map(p => p.entityRef)).toEqual([restricted]);
  expect(insider.gpus.filter(g => g.entityRef === restricted)).toHaveLength(8);

  const outsider = await fleet(server, OUTSIDER);
  // The same pod and GPUs, without the entity the outsider may not read.
  expect(outsider.pending).toHaveLength(1);
  expect(outsider.pending[0].entityRef).toBeUndefined();
  expect(outsider.gpus).toHaveLength(insider.gpus.length);
  expect(JSON.stringify(outsider)).not.toContain(restricted);
  // What the outsider may read stays linked.
  expect(
    outsider.gpus.filter(
      g => g.entityRef === 'component:default/embedding-server',
    ),
  ).toHaveLength(1);

  const card = await request(server)
    .get(`/api/gpu-inference/entity?entityRef=${restricted}`)
    .set('Authorization', mockCredentials.user.header(OUTSIDER));
  expect(card.status).toBe(404);
});
