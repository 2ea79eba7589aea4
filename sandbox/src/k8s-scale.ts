/*
 * Scale mode of the sandbox's cluster, for benchmarks: adds N KWOK nodes (general-purpose,
 * plus optional 8-GPU nodes) and M pods spread over Deployments in 200 namespaces, waits
 * until they run, and reports the time taken and the API server's memory. `--remove`
 * takes it all away again. Everything it makes is labelled sandbox.ml-platform.io/scale.
 *
 *   node k8s-scale.ts --kubeconfig FILE [--nodes 500] [--pods 10000] [--gpu-nodes 0]
 *                     [--namespaces 200] [--apiserver-pid FILE]
 *   node k8s-scale.ts --kubeconfig FILE --remove
 *
 * One Deployment in ten carries backstage.io/kubernetes-id=scale-service, so an entity's
 * view matches a tenth of the pods, as on a shared cluster.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type V1Node,
} from '@kubernetes/client-node';

const SCALE_LABEL = 'sandbox.ml-platform.io/scale';
const DEPLOYMENTS_PER_NAMESPACE = 5;

const { values: args } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    nodes: { type: 'string', default: '500' },
    pods: { type: 'string', default: '10000' },
    'gpu-nodes': { type: 'string', default: '0' },
    namespaces: { type: 'string', default: '200' },
    'apiserver-pid': { type: 'string' },
    remove: { type: 'boolean', default: false },
  },
});

const config = new KubeConfig();
config.loadFromFile(args.kubeconfig!);
const core = config.makeApiClient(CoreV1Api);
const apps = config.makeApiClient(AppsV1Api);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const seconds = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1);

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T>(
  items: T[],
  width: number,
  work: (item: T) => Promise<unknown>,
) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/** Creates, and treats "already exists" as done, so an interrupted run can be resumed. */
async function create(call: () => Promise<unknown>) {
  try {
    await call();
  } catch (error: any) {
    if (error.code !== 409) throw error;
  }
}

function scaleNode(name: string, zone: string, gpus: number): V1Node {
  const resources: Record<string, string> = {
    cpu: gpus ? '96' : '32',
    memory: gpus ? '1152Gi' : '128Gi',
    pods: '110',
  };
  if (gpus) resources['nvidia.com/gpu'] = String(gpus);
  return {
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake' },
      labels: {
        [SCALE_LABEL]: 'true',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'eks.amazonaws.com/nodegroup': gpus ? 'scale-gpu' : 'scale-general',
        'node.kubernetes.io/instance-type': gpus
          ? 'p4d.24xlarge'
          : 'm5.8xlarge',
        'topology.kubernetes.io/zone': zone,
        ...(gpus ? { 'nvidia.com/gpu.present': 'true' } : {}),
      },
    },
    // Only the scale pods (and DaemonSets that tolerate everything) land here, never the
    // platform's own workloads.
    spec: {
      taints: [
        { key: SCALE_LABEL, value: 'true', effect: 'NoSchedule' },
        ...(gpus
          ? [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]
          : []),
      ],
    },
    status: { capacity: resources, allocatable: resources },
  };
}

async function scaleUp() {
  const nodes = Number(args.nodes);
  const gpuNodes = Number(args['gpu-nodes']);
  const pods = Number(args.pods);
  const namespaces = Number(args.namespaces);
  const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
  const t0 = Date.now();

  const nodeSpecs = [
    ...Array.from({ length: nodes }, (_, i) =>
      scaleNode(`scale-general-${i}`, zones[i % 3], 0),
    ),
    ...Array.from({ length: gpuNodes }, (_, i) =>
      scaleNode(`scale-gpu-${i}`, zones[i % 3], 8),
    ),
  ];
  await inParallel(nodeSpecs, 20, body =>
    create(() => core.createNode({ body })),
  );
  console.log(`${nodeSpecs.length} nodes created in ${seconds(t0)} s`);

  const deployments = namespaces * DEPLOYMENTS_PER_NAMESPACE;
  const replicas = Math.ceil(pods / deployments);
  const names = Array.from({ length: namespaces }, (_, i) => `scale-${i}`);
  await inParallel(names, 10, async namespace => {
    await create(() =>
      core.createNamespace({
        body: {
          metadata: { name: namespace, labels: { [SCALE_LABEL]: 'true' } },
        },
      }),
    );
    for (let d = 0; d < DEPLOYMENTS_PER_NAMESPACE; d++) {
      const name = `service-${d}`;
      const labels: Record<string, string> = {
        app: name,
        [SCALE_LABEL]: 'true',
      };
      if (d === 0 && Number(namespace.split('-')[1]) % 2 === 0) {
        labels['backstage.io/kubernetes-id'] = 'scale-service';
      }
      await create(() =>
        apps.createNamespacedDeployment({
          namespace,
          body: {
            metadata: { name, labels },
            spec: {
              replicas,
              selector: { matchLabels: { app: name } },
              template: {
                metadata: { labels },
                spec: {
                  nodeSelector: {
                    'eks.amazonaws.com/nodegroup': 'scale-general',
                  },
                  tolerations: [
                    {
                      key: SCALE_LABEL,
                      operator: 'Exists',
                      effect: 'NoSchedule',
                    },
                  ],
                  containers: [
                    {
                      name,
                      image: `ghcr.io/ml-platform/${name}:1.0.0`,
                      resources: { requests: { cpu: '50m', memory: '64Mi' } },
                    },
                  ],
                },
              },
            },
          },
        }),
      );
    }
  });
  console.log(
    `${deployments} Deployments x ${replicas} replicas in ${namespaces} namespaces created in ${seconds(
      t0,
    )} s`,
  );

  const expected = deployments * replicas;
  for (;;) {
    const running = await countRunning();
    const ready = await countReadyNodes();
    process.stdout.write(
      `\r${ready}/${nodeSpecs.length} nodes Ready, ${running}/${expected} pods Running `,
    );
    if (running >= expected && ready >= nodeSpecs.length) break;
    await sleep(5000);
  }
  console.log(`\nall Running in ${seconds(t0)} s; ${apiserverMemory()}`);
}

async function countRunning() {
  let count = 0;
  let cont: string | undefined;
  do {
    const page = await core.listPodForAllNamespaces({
      labelSelector: SCALE_LABEL,
      fieldSelector: 'status.phase=Running',
      limit: 2000,
      _continue: cont,
    });
    count += page.items.length;
    cont = page.metadata?._continue;
  } while (cont);
  return count;
}

async function countReadyNodes() {
  const list = await core.listNode({ labelSelector: SCALE_LABEL });
  return list.items.filter(n =>
    n.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True'),
  ).length;
}

function apiserverMemory() {
  const pidFile = args['apiserver-pid'];
  if (!pidFile) return 'API server memory not measured (no --apiserver-pid)';
  const pid = readFileSync(pidFile, 'utf8').trim();
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = status.match(/VmRSS:\s+(\d+) kB/)?.[1];
  const peak = status.match(/VmHWM:\s+(\d+) kB/)?.[1];
  const mib = (kb?: string) => `${Math.round(Number(kb) / 1024)} MiB`;
  return `kube-apiserver RSS ${mib(rss)} (peak ${mib(peak)})`;
}

async function scaleDown() {
  const t0 = Date.now();
  const namespaces = await core.listNamespace({ labelSelector: SCALE_LABEL });
  await inParallel(namespaces.items, 10, ns =>
    core.deleteNamespace({ name: ns.metadata!.name! }).catch(() => undefined),
  );
  for (;;) {
    const left = await core.listNamespace({ labelSelector: SCALE_LABEL });
    process.stdout.write(`\r${left.items.length} scale namespaces left `);
    if (left.items.length === 0) break;
    await sleep(3000);
  }
  await core.deleteCollectionNode({ labelSelector: SCALE_LABEL });
  console.log(`\nscale objects removed in ${seconds(t0)} s`);
}

(args.remove ? scaleDown() : scaleUp()).catch(error => {
  console.error(
    `scale failed: ${error.body?.message ?? error.message ?? error}`,
  );
  process.exit(1);
});
