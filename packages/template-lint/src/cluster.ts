import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

/** GPUs per node of the instance types the platform uses (AWS's published figures). */
export const GPUS_PER_INSTANCE: Record<string, number> = {
  'g5.xlarge': 1,
  'g5.2xlarge': 1,
  'g5.4xlarge': 1,
  'g5.12xlarge': 4,
  'g5.48xlarge': 8,
  'g6.xlarge': 1,
  'g6.12xlarge': 4,
  'p4d.24xlarge': 8,
  'p5.48xlarge': 8,
};

/**
 * Custom resources each chart installs (its CRDs, as the chart ships them by default), by
 * repository URL and chart name. A chart missing here installs no custom resource the lint
 * knows of.
 */
export const CHART_CUSTOM_RESOURCES: {
  url: string;
  chart: string;
  kinds: string[];
}[] = [
  {
    url: 'https://kedacore.github.io/charts',
    chart: 'keda',
    kinds: [
      'keda.sh/ScaledObject',
      'keda.sh/ScaledJob',
      'keda.sh/TriggerAuthentication',
      'keda.sh/ClusterTriggerAuthentication',
    ],
  },
  {
    url: 'https://istio-release.storage.googleapis.com/charts',
    chart: 'base',
    kinds: [
      'networking.istio.io/VirtualService',
      'networking.istio.io/Gateway',
      'networking.istio.io/DestinationRule',
      'networking.istio.io/ServiceEntry',
      'networking.istio.io/Sidecar',
      'security.istio.io/AuthorizationPolicy',
      'security.istio.io/PeerAuthentication',
    ],
  },
  {
    url: 'https://strimzi.io/charts/',
    chart: 'strimzi-kafka-operator',
    kinds: [
      'kafka.strimzi.io/Kafka',
      'kafka.strimzi.io/KafkaNodePool',
      'kafka.strimzi.io/KafkaTopic',
      'kafka.strimzi.io/KafkaUser',
    ],
  },
  {
    url: 'https://prometheus-community.github.io/helm-charts',
    chart: 'kube-prometheus-stack',
    kinds: [
      'monitoring.coreos.com/ServiceMonitor',
      'monitoring.coreos.com/PodMonitor',
      'monitoring.coreos.com/PrometheusRule',
      'monitoring.coreos.com/Prometheus',
      'monitoring.coreos.com/Alertmanager',
    ],
  },
];

export interface NodeGroup {
  name: string;
  amiType?: string;
  instanceTypes: string[];
  /** Labels every node of the group carries, including EKS's own nodegroup label. */
  labels: Record<string, string>;
  /** Taints in Kubernetes spelling (NoSchedule, ...). */
  taints: { key: string; value?: string; effect: string }[];
  minSize?: number;
  maxSize?: number;
  desiredSize?: number;
  /**
   * GPUs every node of the group has: the smallest of its instance types (0 for CPU-only
   * groups), since the group may grow by any of them.
   */
  gpusPerNode: number;
}

export interface HelmRelease {
  name: string;
  namespace: string;
  chart: string;
  /** The chart's repository URL, from helmfile.yaml's repositories. */
  repositoryUrl?: string;
  version?: string;
  values: string[];
}

export interface KafkaCluster {
  name: string;
  namespace: string;
  /** One address per internal listener: <name>-kafka-bootstrap.<namespace>.svc:<port>. */
  listeners: { name: string; address: string; tls: boolean }[];
}

/** Something wrong with the cluster definition itself. */
export interface DefinitionProblem {
  file: string;
  object: string;
  rule: string;
  message: string;
}

export interface ClusterDefinition {
  name?: string;
  nodeGroups: NodeGroup[];
  namespaces: string[];
  releases: HelmRelease[];
  /** `<group>/<kind>` of every custom resource the definition installs (charts and manifests/). */
  customResources: string[];
  /** `<namespace>/<name>` of every Istio Gateway of manifests/. */
  gateways: string[];
  kafkaClusters: KafkaCluster[];
  problems: DefinitionProblem[];
}

const EFFECTS: Record<string, string> = {
  NO_SCHEDULE: 'NoSchedule',
  NO_EXECUTE: 'NoExecute',
  PREFER_NO_SCHEDULE: 'PreferNoSchedule',
};

type Json = any;

/** hcl2json wraps blocks and module arguments in single-element arrays. */
const one = (value: Json) =>
  Array.isArray(value) && value.length === 1 ? value[0] : value;

/** Resolves "${var.a.b}" against the variables' defaults; other values as they are. */
function resolver(variables: Record<string, Json>) {
  return function resolve(value: Json): Json {
    if (typeof value !== 'string') return value;
    const ref = /^\$\{var\.([a-zA-Z0-9_.]+)\}$/.exec(value);
    if (!ref) return value;
    const [name, ...fields] = ref[1].split('.');
    let current = one(variables[name])?.default;
    for (const field of fields) current = current?.[field];
    if (current === undefined)
      throw new Error(`cannot resolve ${value} from the variables' defaults`);
    return current;
  };
}

/** The group of an apiVersion ('' for the core group). */
export function apiGroup(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** Groups the API server serves itself; anything else needs a CRD. */
export function isBuiltinGroup(group: string): boolean {
  return (
    group === '' ||
    group.endsWith('.k8s.io') ||
    [
      'apps',
      'batch',
      'autoscaling',
      'policy',
      'coordination.k8s.io',
      'discovery.k8s.io',
      'events.k8s.io',
    ].includes(group)
  );
}

async function readNodeGroups(dir: string, problems: DefinitionProblem[]) {
  const files = (await fs.readdir(dir)).filter(f => f.endsWith('.tf'));
  const blocks: Json[] = [];
  for (const file of files) {
    blocks.push(
      await parse(file, await fs.readFile(path.join(dir, file), 'utf8')),
    );
  }
  const variables = Object.assign({}, ...blocks.map(b => b.variable ?? {}));
  const resolve = resolver(variables);
  const modules = Object.assign({}, ...blocks.map(b => b.module ?? {}));
  const eks = Object.values<Json>(modules)
    .map(one)
    .find(m => String(m.source).includes('eks'));
  if (!eks) throw new Error(`${dir}: no EKS module in the Terraform`);

  const nodeGroups: NodeGroup[] = Object.entries<Json>(
    one(eks.eks_managed_node_groups) ?? {},
  ).map(([name, raw]) => {
    const group = one(raw);
    const where = { file: 'main.tf', object: `node group ${name}` };
    const instanceTypes: string[] = resolve(group.instance_types) ?? [];
    const taints = Object.values<Json>(one(group.taints) ?? {}).map(t => ({
      key: resolve(t.key),
      value: resolve(t.value),
      effect: EFFECTS[resolve(t.effect)] ?? resolve(t.effect),
    }));
    const labels: Record<string, string> = { ...(one(group.labels) ?? {}) };
    // The EKS module names a group `<key>-<timestamp>` unless use_name_prefix is false; only
    // then is EKS's nodegroup label the name written here.
    if (resolve(group.use_name_prefix) === false) {
      labels['eks.amazonaws.com/nodegroup'] = resolve(group.name) ?? name;
    } else {
      problems.push({
        ...where,
        rule: 'node-group-name',
        message:
          'set use_name_prefix = false: otherwise EKS names the group (and its eks.amazonaws.com/nodegroup label) ' +
          `"${name}-<timestamp>", which no template's nodeSelector matches`,
      });
    }
    const isGpuGroup = /NVIDIA|GPU/i.test(String(resolve(group.ami_type)));
    const gpuCounts = instanceTypes.map(t => GPUS_PER_INSTANCE[t]);
    if (isGpuGroup && gpuCounts.some(n => n === undefined)) {
      problems.push({
        ...where,
        rule: 'gpu-instance',
        message: `GPUs per node unknown for ${instanceTypes
          .filter(t => GPUS_PER_INSTANCE[t] === undefined)
          .join(', ')}; add it to GPUS_PER_INSTANCE`,
      });
    }
    const known = gpuCounts.map(n => n ?? 0);
    if (new Set(known).size > 1) {
      problems.push({
        ...where,
        rule: 'node-group-shape',
        message: `mixes instance types with different GPU counts (${instanceTypes
          .map(t => `${t}: ${GPUS_PER_INSTANCE[t] ?? 0}`)
          .join(', ')}); give each GPU shape its own node group`,
      });
    }
    return {
      name,
      amiType: resolve(group.ami_type),
      instanceTypes,
      labels,
      taints,
      minSize: resolve(group.min_size),
      maxSize: resolve(group.max_size),
      desiredSize: resolve(group.desired_size),
      gpusPerNode: known.length > 0 ? Math.min(...known) : 0,
    };
  });
  return { name: resolve(eks.cluster_name) as string, nodeGroups };
}

async function readReleases(dir: string): Promise<HelmRelease[]> {
  const file = path.join(dir, 'helmfile.yaml');
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const helmfile = parseYaml(text) ?? {};
  const repositories = new Map<string, string>(
    (helmfile.repositories ?? []).map((r: Json) => [r.name, r.url]),
  );
  return (helmfile.releases ?? []).map((r: Json) => {
    const [repo, chart] = String(r.chart).split('/');
    return {
      name: r.name,
      namespace: r.namespace,
      chart: chart ?? repo,
      repositoryUrl: chart ? repositories.get(repo) : undefined,
      version: r.version === undefined ? undefined : String(r.version),
      values: r.values ?? [],
    };
  });
}

async function readManifests(dir: string) {
  const manifestsDir = path.join(dir, 'manifests');
  const files = (await fs.readdir(manifestsDir).catch(() => []))
    .filter(f => /\.ya?ml$/.test(f))
    .sort();
  const objects: { file: string; object: Json }[] = [];
  for (const file of files) {
    const text = await fs.readFile(path.join(manifestsDir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS();
      if (object) objects.push({ file: `manifests/${file}`, object });
    }
  }
  return objects;
}

/**
 * Reads templates/eks-cluster: the Terraform (node groups), namespaces.yaml, helmfile.yaml (the
 * add-ons and so the custom resources their charts install) and manifests/ (Gateways, the
 * Strimzi Kafka clusters, CRDs).
 */
export async function readClusterDefinition(
  dir: string,
): Promise<ClusterDefinition> {
  const problems: DefinitionProblem[] = [];
  const { name, nodeGroups } = await readNodeGroups(dir, problems);

  const namespaceList = parseYaml(
    await fs.readFile(path.join(dir, 'namespaces.yaml'), 'utf8'),
  );
  // Those of namespaces.yaml, and the ones every cluster has.
  const namespaces: string[] = [
    ...(namespaceList.items ?? [])
      .filter((i: Json) => i.kind === 'Namespace')
      .map((i: Json) => i.metadata.name),
    'default',
    'kube-system',
  ];

  const releases = await readReleases(dir);
  const customResources = new Set<string>();
  for (const release of releases) {
    const known = CHART_CUSTOM_RESOURCES.find(
      c => c.chart === release.chart && c.url === release.repositoryUrl,
    );
    known?.kinds.forEach(k => customResources.add(k));
    if (!namespaces.includes(release.namespace)) {
      problems.push({
        file: 'helmfile.yaml',
        object: `release ${release.name}`,
        rule: 'namespace',
        message: `namespace "${release.namespace}" is not in namespaces.yaml`,
      });
    }
  }

  const manifests = await readManifests(dir);
  for (const { object } of manifests) {
    if (object.kind === 'CustomResourceDefinition') {
      customResources.add(`${object.spec?.group}/${object.spec?.names?.kind}`);
    }
  }
  const gateways: string[] = [];
  const kafkaClusters: KafkaCluster[] = [];
  for (const { file, object } of manifests) {
    const group = apiGroup(String(object.apiVersion ?? ''));
    const kind = `${group}/${object.kind}`;
    const ns = object.metadata?.namespace;
    const id = `${object.kind}/${object.metadata?.name}`;
    if (!isBuiltinGroup(group) && !customResources.has(kind)) {
      problems.push({
        file,
        object: id,
        rule: 'crd',
        message: `${kind} is installed by no chart of helmfile.yaml and no CRD of manifests/`,
      });
    }
    if (
      object.kind !== 'CustomResourceDefinition' &&
      object.kind !== 'Namespace' &&
      !namespaces.includes(ns)
    ) {
      problems.push({
        file,
        object: id,
        rule: 'namespace',
        message: `namespace "${ns}" is not in namespaces.yaml`,
      });
    }
    if (kind === 'networking.istio.io/Gateway') {
      gateways.push(`${ns}/${object.metadata.name}`);
    }
    if (kind === 'kafka.strimzi.io/Kafka') {
      kafkaClusters.push({
        name: object.metadata.name,
        namespace: ns,
        listeners: (object.spec?.kafka?.listeners ?? [])
          .filter((l: Json) => l.type === 'internal')
          .map((l: Json) => ({
            name: l.name,
            address: `${object.metadata.name}-kafka-bootstrap.${ns}.svc:${l.port}`,
            tls: Boolean(l.tls),
          })),
      });
    }
  }

  return {
    name,
    nodeGroups,
    namespaces,
    releases,
    customResources: [...customResources].sort(),
    gateways,
    kafkaClusters,
    problems,
  };
}
