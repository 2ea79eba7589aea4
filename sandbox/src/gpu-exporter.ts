/*
 * The sandbox's GPU exporter: serves /metrics with the NVIDIA DCGM exporter's metric names
 * and labels for exactly the GPUs of the sandbox cluster's GPU nodes, so that Prometheus and
 * the GPU inference plugin see what a real EKS GPU node group would report.
 *
 *   node gpu-exporter.ts --kubeconfig FILE [--port 59400] [--model-url http://127.0.0.1:58080]
 *
 * - Which GPUs exist: nodes with allocatable nvidia.com/gpu (read every 5 s).
 * - Which pod holds which GPU: pods bound to a node and requesting nvidia.com/gpu get the
 *   node's GPU indexes in pod-name order (the device plugin's choice is opaque; this one is
 *   stable), with pod/namespace/container labels.
 * - How busy a GPU is follows the sandbox model server's real load (its vLLM metrics): the
 *   chat model's running and waiting requests drive the GPUs of the first llm-chat-server
 *   replica (traffic goes to it), the embeddings model's drive embedding-server's GPU. The
 *   second llm-chat-server replica's GPUs are allocated but idle, on purpose: the waste the
 *   portal must find. GPU 7 of the p4d node reports one XID 79 ("GPU has fallen off the bus").
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

const { values: args } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    port: { type: 'string', default: '59400' },
    'model-url': { type: 'string', default: 'http://127.0.0.1:58080' },
  },
});

const GPU = 'nvidia.com/gpu';
const XID_GPU = {
  node: 'ip-10-0-5-9.eu-west-1.compute.internal',
  index: 7,
  xid: 79,
};

interface GpuModel {
  name: string;
  memoryMiB: number;
  idleWatts: number;
  maxWatts: number;
  maxClockMHz: number;
}
const MODELS: Record<string, GpuModel> = {
  'NVIDIA-A100-SXM4-40GB': {
    name: 'NVIDIA A100-SXM4-40GB',
    memoryMiB: 40960,
    idleWatts: 55,
    maxWatts: 400,
    maxClockMHz: 1410,
  },
  'NVIDIA-A10G': {
    name: 'NVIDIA A10G',
    memoryMiB: 23028,
    idleWatts: 28,
    maxWatts: 300,
    maxClockMHz: 1710,
  },
};
const DEFAULT_MODEL: GpuModel = {
  name: 'NVIDIA GPU',
  memoryMiB: 16384,
  idleWatts: 30,
  maxWatts: 250,
  maxClockMHz: 1500,
};

interface Gpu {
  node: string;
  index: number;
  uuid: string;
  model: GpuModel;
  pod?: { name: string; namespace: string; container: string; app: string };
}

const config = new KubeConfig();
config.loadFromFile(args.kubeconfig!);
const core = config.makeApiClient(CoreV1Api);

let gpus: Gpu[] = [];
let load = {
  chatRunning: 0,
  chatWaiting: 0,
  chatKv: 0,
  embedRunning: 0,
  embedWaiting: 0,
};

/** A stable UUID per node and index, in NVIDIA's GPU-xxxxxxxx-... shape. */
function uuid(node: string, index: number) {
  let h = 2166136261;
  for (const c of `${node}/${index}`)
    h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  const a = hex(h);
  const b = hex(Math.imul(h, 2654435761));
  return `GPU-${a}-${b.slice(0, 4)}-${b.slice(4)}-${a.slice(
    0,
    4,
  )}-${b}${a.slice(0, 4)}`;
}

async function readCluster() {
  const [nodes, pods] = await Promise.all([
    core.listNode(),
    core.listPodForAllNamespaces(),
  ]);
  const next: Gpu[] = [];
  for (const node of nodes.items) {
    const count = Number(node.status?.allocatable?.[GPU] ?? 0);
    const name = node.metadata!.name!;
    const model =
      MODELS[node.metadata?.labels?.['nvidia.com/gpu.product'] ?? ''] ??
      DEFAULT_MODEL;
    for (let index = 0; index < count; index++)
      next.push({ node: name, index, uuid: uuid(name, index), model });
  }
  const holders = pods.items
    .filter(
      p =>
        p.spec?.nodeName &&
        !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''),
    )
    .filter(p => !p.metadata?.deletionTimestamp)
    .sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  for (const pod of holders) {
    for (const container of pod.spec!.containers) {
      let wanted = Number(
        container.resources?.limits?.[GPU] ??
          container.resources?.requests?.[GPU] ??
          0,
      );
      for (const gpu of next) {
        if (wanted === 0) break;
        if (gpu.node !== pod.spec!.nodeName || gpu.pod) continue;
        gpu.pod = {
          name: pod.metadata!.name!,
          namespace: pod.metadata!.namespace!,
          container: container.name,
          app: pod.metadata?.labels?.['app.kubernetes.io/name'] ?? '',
        };
        wanted--;
      }
    }
  }
  gpus = next;
}

function metric(text: string, name: string, model: string): number {
  const line = text
    .split('\n')
    .find(l => l.startsWith(`${name}{`) && l.includes(`model_name="${model}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function readModelServer() {
  try {
    const res = await fetch(`${args['model-url']}/metrics`, {
      signal: AbortSignal.timeout(2000),
    });
    const text = await res.text();
    load = {
      chatRunning: metric(text, 'vllm:num_requests_running', 'platform-chat'),
      chatWaiting: metric(text, 'vllm:num_requests_waiting', 'platform-chat'),
      chatKv: metric(text, 'vllm:kv_cache_usage_perc', 'platform-chat'),
      embedRunning: metric(
        text,
        'vllm:num_requests_running',
        'all-MiniLM-L6-v2',
      ),
      embedWaiting: metric(
        text,
        'vllm:num_requests_waiting',
        'all-MiniLM-L6-v2',
      ),
    };
  } catch {
    load = {
      chatRunning: 0,
      chatWaiting: 0,
      chatKv: 0,
      embedRunning: 0,
      embedWaiting: 0,
    };
  }
}

/** The first replica (by name) of a Deployment's pods that hold GPUs. */
function firstReplica(app: string) {
  return gpus
    .filter(g => g.pod?.app === app)
    .map(g => g.pod!.name)
    .sort()[0];
}

function utilisation(gpu: Gpu): number {
  if (!gpu.pod) return 0;
  const jitter = Math.random() * 2;
  if (
    gpu.pod.app === 'llm-chat-server' &&
    gpu.pod.name === firstReplica('llm-chat-server')
  ) {
    const busy = load.chatRunning + load.chatWaiting;
    return busy > 0
      ? Math.min(
          99,
          45 + load.chatRunning * 12 + load.chatWaiting * 2 + jitter * 3,
        )
      : 1 + jitter;
  }
  if (gpu.pod.app === 'embedding-server') {
    const busy = load.embedRunning + load.embedWaiting;
    return busy > 0
      ? Math.min(97, 30 + load.embedRunning * 20 + jitter * 3)
      : 1 + jitter;
  }
  return jitter / 2; // allocated, idle
}

function render(): string {
  const lines: string[] = [];
  const families: [string, string, string][] = [
    ['DCGM_FI_DEV_GPU_UTIL', 'gauge', 'GPU utilization (in %).'],
    ['DCGM_FI_DEV_FB_USED', 'gauge', 'Framebuffer memory used (in MiB).'],
    ['DCGM_FI_DEV_FB_FREE', 'gauge', 'Framebuffer memory free (in MiB).'],
    ['DCGM_FI_DEV_POWER_USAGE', 'gauge', 'Power draw (in W).'],
    ['DCGM_FI_DEV_GPU_TEMP', 'gauge', 'GPU temperature (in C).'],
    ['DCGM_FI_DEV_SM_CLOCK', 'gauge', 'SM clock frequency (in MHz).'],
    [
      'DCGM_FI_DEV_XID_ERRORS',
      'gauge',
      'Value of the last XID error encountered.',
    ],
    [
      'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
      'gauge',
      'Ratio of time the graphics engine is active.',
    ],
  ];
  const values = new Map<string, string[]>(
    families.map(([name]) => [name, []]),
  );
  for (const gpu of gpus) {
    const util = utilisation(gpu);
    const labels = [
      `gpu="${gpu.index}"`,
      `UUID="${gpu.uuid}"`,
      `device="nvidia${gpu.index}"`,
      `modelName="${gpu.model.name}"`,
      `Hostname="${gpu.node}"`,
      ...(gpu.pod
        ? [
            `container="${gpu.pod.container}"`,
            `namespace="${gpu.pod.namespace}"`,
            `pod="${gpu.pod.name}"`,
          ]
        : []),
    ].join(',');
    // Model weights resident on an allocated GPU (MiB): small embedder, or a shard of an 8B LLM.
    let weights = 0;
    if (gpu.pod) weights = gpu.pod.app === 'embedding-server' ? 1400 : 16800;
    const kv =
      gpu.pod?.app === 'llm-chat-server'
        ? load.chatKv * (gpu.model.memoryMiB - weights) * 0.9
        : 0;
    const used = Math.round(gpu.pod ? weights + kv + 300 : 0);
    const xid =
      gpu.node === XID_GPU.node && gpu.index === XID_GPU.index
        ? XID_GPU.xid
        : 0;
    const put = (name: string, value: number) =>
      values.get(name)!.push(`${name}{${labels}} ${value}`);
    put('DCGM_FI_DEV_GPU_UTIL', Math.round(util));
    put('DCGM_FI_DEV_FB_USED', used);
    put('DCGM_FI_DEV_FB_FREE', gpu.model.memoryMiB - used);
    put(
      'DCGM_FI_DEV_POWER_USAGE',
      +(
        gpu.model.idleWatts +
        (util / 100) * (gpu.model.maxWatts - gpu.model.idleWatts)
      ).toFixed(1),
    );
    put('DCGM_FI_DEV_GPU_TEMP', Math.round(31 + util * 0.45));
    put('DCGM_FI_DEV_SM_CLOCK', util > 5 ? gpu.model.maxClockMHz : 210);
    put('DCGM_FI_DEV_XID_ERRORS', xid);
    put('DCGM_FI_PROF_GR_ENGINE_ACTIVE', +(util / 100).toFixed(3));
  }
  for (const [name, type, help] of families) {
    lines.push(
      `# HELP ${name} ${help}`,
      `# TYPE ${name} ${type}`,
      ...values.get(name)!,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function main() {
  await readCluster();
  await readModelServer();
  setInterval(
    () =>
      readCluster().catch(e =>
        console.error(`cluster read failed: ${e.message}`),
      ),
    5000,
  );
  setInterval(() => void readModelServer(), 1000);
  http
    .createServer((req, res) => {
      if (req.url?.startsWith('/metrics')) {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(render());
      } else {
        res.writeHead(404).end('only /metrics here\n');
      }
    })
    .listen(Number(args.port), '127.0.0.1', () => {
      console.log(
        `gpu exporter on 127.0.0.1:${args.port}: ${gpus.length} GPUs`,
      );
    });
}

main().catch(error => {
  console.error(`gpu exporter failed: ${error.message ?? error}`);
  process.exit(1);
});
