/*
 * Alerts against the sandbox's real Prometheus and Alertmanager (parts `metrics` and
 * `alertmanager`): Prometheus evaluates the platform's rules
 * (templates/eks-cluster/prometheus/platform-rules.yaml) every 5 s over the GPU exporter's and
 * the model server's real series and sends what fires to Alertmanager, which the plugin reads.
 *
 * - GpuXidError fires from the start (GPU 7 of the p4d node reports XID 79): listed for the
 *   cluster, and on an entity whose ml-platform.io/alert-selector picks it.
 * - ModelServerQueueBacklog fires when a load queues requests at the model server: it shows on
 *   llm-chat-server (namespace ml, workload label) without any selector.
 * - Silenced in Alertmanager: shown as silenced, with the silence's id.
 * - Alertmanager stopped: the answer says so and names the config key; /entity is unaffected.
 *
 * Needs: scripts/sandbox up k8s model metrics alertmanager && eval "$(scripts/sandbox env)".
 *
 * @sandbox-stops alertmanager: stops Alertmanager and starts it again
 */
import { execFileSync } from 'child_process';
import type {
  ClusterAlerts,
  EntityAlerts,
  EntityWorkloads,
  PortalAlert,
} from '@internal/plugin-cluster-health-common';
import { runLoad } from '@internal/sandbox';
import {
  clusterHealthBackend,
  env,
  sandboxCluster,
  sleep,
} from './__testUtils__/backend';

jest.setTimeout(240_000);

const component = (name: string, annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', lifecycle: 'production', owner: 'ml-platform' },
});

const { get, answer } = clusterHealthBackend({
  clusters: () => [
    sandboxCluster('eks-data-platform', env.k8s.kubeconfigs.portal),
  ],
  clusterHealth: () => ({
    alertmanagers: [{ cluster: 'eks-data-platform', url: env.alertmanagerUrl }],
  }),
  entities: [
    component('llm-chat-server', {
      'backstage.io/kubernetes-id': 'llm-chat-server',
      'backstage.io/kubernetes-namespace': 'ml',
    }),
    component('gpu-fleet', {
      'backstage.io/kubernetes-id': 'gpu-fleet',
      'ml-platform.io/alert-selector': '{alertname="GpuXidError"}',
    }),
    component('broken-selector', {
      'backstage.io/kubernetes-id': 'broken-selector',
      'ml-platform.io/alert-selector': 'alertname=GpuXidError',
    }),
  ],
});

/** Polls `path` until `pick` finds the alert it wants in the body (or fails with the last body). */
async function alertUntil<T>(
  path: string,
  pick: (body: T) => PortalAlert | undefined,
  seconds = 90,
): Promise<PortalAlert> {
  let last: unknown;
  for (let i = 0; i < seconds; i++) {
    const res = await answer(path);
    last = res.body;
    const found = res.status === 200 ? pick(res.body) : undefined;
    if (found) return found;
    await sleep(1000);
  }
  throw new Error(
    `${path}: not within ${seconds} s; last: ${JSON.stringify(last)}`,
  );
}

const entityPath = (name: string) =>
  `/entity/alerts?entityRef=component:default/${name}`;
const inEntity = (alertname: string, state?: string) => (body: EntityAlerts) =>
  body.clusters[0]?.alerts.find(
    a => a.name === alertname && (!state || a.state === state),
  );

describe('alerts from the real Alertmanager', () => {
  let silenceId: string | undefined;

  afterAll(async () => {
    // Whatever happened: Alertmanager running again, and the test's silence gone.
    execFileSync(env.cli, ['alertmanager', 'start'], { stdio: 'ignore' });
    if (silenceId) {
      await fetch(`${env.alertmanagerUrl}/api/v2/silence/${silenceId}`, {
        method: 'DELETE',
      });
    }
  });

  it("lists the cluster's firing XID alert, and shows it on the entity whose selector picks it", async () => {
    const cluster = await alertUntil<ClusterAlerts[]>('/alerts', body =>
      body
        .find(c => c.cluster === 'eks-data-platform')
        ?.alerts.find(a => a.name === 'GpuXidError'),
    );
    expect(cluster).toMatchObject({
      state: 'firing',
      severity: 'critical',
      labels: { gpu: '7', alertname: 'GpuXidError' },
      silencedBy: [],
    });
    expect(cluster.summary).toMatch(/^GPU 7 of \S+ reports XID 79$/);
    expect(cluster.alertmanagerUrl).toContain(
      `${env.alertmanagerUrl}/#/alerts?filter=`,
    );
    expect(decodeURIComponent(cluster.alertmanagerUrl)).toContain(
      'alertname="GpuXidError"',
    );
    expect(cluster.generatorUrl).toMatch(/\/graph\?g0\.expr=/);

    const onFleet = await alertUntil(
      entityPath('gpu-fleet'),
      inEntity('GpuXidError'),
    );
    expect(onFleet.matchedBy).toBe('ml-platform.io/alert-selector');
    expect(onFleet.fingerprint).toBe(cluster.fingerprint);
  });

  it('says which annotation is malformed, and how it should read', async () => {
    const res = await answer(entityPath('broken-selector'));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /ml-platform.io\/alert-selector: cannot read "alertname=GpuXidError"/,
    );
  });

  it("shows the model server's queue alert on llm-chat-server once a load queues requests", async () => {
    // No alert of the queue before the load (the idle model server queues nothing).
    const before = await get<EntityAlerts>(entityPath('llm-chat-server'));
    expect(before.clusters[0].status).toBe('ok');
    expect(inEntity('ModelServerQueueBacklog')(before)).toBeUndefined();

    const load = runLoad({ url: env.modelUrl, rps: 40, seconds: 20 });
    try {
      const queued = await alertUntil(
        entityPath('llm-chat-server'),
        inEntity('ModelServerQueueBacklog'),
        60,
      );
      expect(queued).toMatchObject({
        state: 'firing',
        severity: 'warning',
        labels: { namespace: 'ml', workload: 'llm-chat-server' },
        matchedBy: 'Deployment ml/llm-chat-server',
      });
      expect(queued.summary).toMatch(
        /requests wait for the model llama-3\.1-8b-instruct/,
      );
    } finally {
      await load;
    }
  });

  it('shows a silenced alert as silenced, with its silence', async () => {
    const now = Date.now();
    const res = await fetch(`${env.alertmanagerUrl}/api/v2/silences`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        matchers: [
          {
            name: 'alertname',
            value: 'GpuXidError',
            isRegex: false,
            isEqual: true,
          },
        ],
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
        createdBy: 'alerts.test.ts',
        comment: 'node drained, GPU replacement ordered',
      }),
    });
    expect(res.status).toBe(200);
    silenceId = ((await res.json()) as { silenceID: string }).silenceID;

    const silenced = await alertUntil(
      entityPath('gpu-fleet'),
      inEntity('GpuXidError', 'silenced'),
      30,
    );
    expect(silenced.silencedBy).toEqual([silenceId]);
  });

  it('says the Alertmanager is down, naming the key, and /entity still answers', async () => {
    execFileSync(env.cli, ['alertmanager', 'stop'], { stdio: 'ignore' });
    let down: ClusterAlerts | undefined;
    // Up to the plugin's 5 s reuse of an answer.
    for (let i = 0; i < 30 && down?.status !== 'unreachable'; i++) {
      down = (await get<EntityAlerts>(entityPath('llm-chat-server')))
        .clusters[0];
      if (down.status !== 'unreachable') await sleep(1000);
    }
    expect(down).toMatchObject({
      cluster: 'eks-data-platform',
      status: 'unreachable',
      alerts: [],
    });
    expect(down!.message).toMatch(
      /The Alertmanager of cluster eks-data-platform did not answer .*check clusterHealth\.alertmanagers\[0\]\.url/,
    );
    const workloads = await get<EntityWorkloads>(
      '/entity?entityRef=component:default/llm-chat-server',
    );
    expect(workloads.clusters[0].workloads.map(w => w.name)).toContain(
      'llm-chat-server',
    );
  });
});
