import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { parse as parseYaml } from 'yaml';

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
  /** GPUs on the group's largest node (0 for CPU-only groups). */
  maxGpusPerNode: number;
}

export interface ClusterDefinition {
  name?: string;
  nodeGroups: NodeGroup[];
  namespaces: string[];
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

/** Reads the Terraform and the namespaces of templates/eks-cluster. */
export async function readClusterDefinition(
  dir: string,
): Promise<ClusterDefinition> {
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
    const instanceTypes: string[] = resolve(group.instance_types) ?? [];
    const taints = Object.values<Json>(one(group.taints) ?? {}).map(t => ({
      key: resolve(t.key),
      value: resolve(t.value),
      effect: EFFECTS[resolve(t.effect)] ?? resolve(t.effect),
    }));
    return {
      name,
      amiType: resolve(group.ami_type),
      instanceTypes,
      labels: {
        ...(one(group.labels) ?? {}),
        'eks.amazonaws.com/nodegroup': name,
      },
      taints,
      minSize: resolve(group.min_size),
      maxSize: resolve(group.max_size),
      desiredSize: resolve(group.desired_size),
      maxGpusPerNode: Math.max(
        0,
        ...instanceTypes.map(t => GPUS_PER_INSTANCE[t] ?? 0),
      ),
    };
  });

  const namespaceList = parseYaml(
    await fs.readFile(path.join(dir, 'namespaces.yaml'), 'utf8'),
  );
  const namespaces = (namespaceList.items ?? [])
    .filter((i: Json) => i.kind === 'Namespace')
    .map((i: Json) => i.metadata.name);
  return { name: resolve(eks.cluster_name), nodeGroups, namespaces };
}
