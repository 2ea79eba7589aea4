import fs from 'node:fs/promises';
import path from 'node:path';
import { createTemplateRenderer } from 'nunjitsu';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import {
  apiGroup,
  ClusterDefinition,
  isBuiltinGroup,
  NodeGroup,
} from './cluster';

export interface LintError {
  template: string;
  file: string;
  object: string;
  rule: string;
  message: string;
  /** The parameter values the error shows up with, when not only with the defaults. */
  variant?: string;
}

type Json = any;

/** Values for parameters without a default, so that a template can be rendered. */
const SAMPLE_VALUES: Record<string, unknown> = {
  name: 'lint-check',
  owner: 'group:default/platform-team',
  topic: 'lint-check-events',
  repository: 'lint/check',
  tag: '1.0.0',
  image: 'ghcr.io/ml-platform/lint-check:1.0.0',
  host: 'lint-check.platform.example.com',
};

// The scaffolder's own template engine (nunjitsu, ${{ expression }}), set up as it sets it up.
const renderer = createTemplateRenderer({ allowRegexExecution: true });

type Context = ReturnType<typeof renderer.prepareContext>;

function render(text: string, context: Context): string {
  return renderer.render(text, context);
}

/**
 * Renders a step input as the scaffolder's workflow runner does: every string through
 * renderValue, so a sole "${{ expression }}" keeps its value's type.
 */
function renderValue(value: unknown, context: Context): unknown {
  return JSON.parse(JSON.stringify(value ?? null), (_key, v) =>
    typeof v === 'string' ? renderer.renderValue(v, context) : v,
  );
}

/** Whether a step's `if` lets it run with these parameters (the runner's isTruthy). */
function stepRuns(step: Json, context: Context): boolean {
  if (step.if === undefined) return true;
  const value =
    typeof step.if === 'string'
      ? renderer.renderValue(step.if, context)
      : step.if;
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

interface Variant {
  label?: string;
  parameters: Record<string, unknown>;
}

/**
 * The parameter sets a template is rendered with: the defaults (plus samples for required
 * parameters without one); once more with every optional parameter set; and once per value of
 * every enum, so that no choice of the form goes unchecked.
 */
export function parameterVariants(template: Json): Variant[] {
  const pages: Json[] = [template.spec?.parameters ?? []].flat();
  const properties: [string, Json][] = pages.flatMap(page =>
    Object.entries<Json>(page.properties ?? {}),
  );
  const required = new Set<string>(pages.flatMap(page => page.required ?? []));
  const base: Record<string, unknown> = {};
  const optional: Record<string, unknown> = {};
  for (const [name, schema] of properties) {
    if (schema.default !== undefined) base[name] = schema.default;
    else if (name in SAMPLE_VALUES) {
      if (required.has(name)) base[name] = SAMPLE_VALUES[name];
      else optional[name] = SAMPLE_VALUES[name];
    }
  }
  const variants: Variant[] = [{ parameters: base }];
  if (Object.keys(optional).length > 0) {
    variants.push({
      label: Object.entries(optional)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
      parameters: { ...base, ...optional },
    });
  }
  for (const [name, schema] of properties) {
    for (const value of schema.enum ?? []) {
      if (value === base[name]) continue;
      variants.push({
        label: `${name}=${value}`,
        parameters: { ...base, [name]: value },
      });
    }
  }
  return variants;
}

function groupsMatching(
  selector: Record<string, string>,
  cluster: ClusterDefinition,
) {
  return cluster.nodeGroups.filter(g =>
    Object.entries(selector).every(([k, v]) => g.labels[k] === String(v)),
  );
}

function tolerates(tolerations: Json[], taint: NodeGroup['taints'][number]) {
  return tolerations.some(t => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

function gpusPerPod(podSpec: Json): number {
  return (podSpec.containers ?? []).reduce(
    (n: number, c: Json) =>
      n +
      Math.max(
        Number(c.resources?.limits?.['nvidia.com/gpu'] ?? 0),
        Number(c.resources?.requests?.['nvidia.com/gpu'] ?? 0),
      ),
    0,
  );
}

/** A file fetch:template wrote into the task's workspace. */
interface WorkspaceFile {
  text: string;
  /** Where it came from, relative to the templates folder. */
  source: string;
  values: Json;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else files.push(full);
  }
  return files;
}

/** The workspace as the fetch:template steps that run with these parameters leave it. */
async function renderWorkspace(
  dir: string,
  steps: Json[],
  context: Context,
): Promise<Map<string, WorkspaceFile>> {
  const workspace = new Map<string, WorkspaceFile>();
  for (const step of steps) {
    if (step.action !== 'fetch:template' || !stepRuns(step, context)) continue;
    const input = renderValue(step.input ?? {}, context) as Json;
    const values = input.values ?? {};
    const files = renderer.prepareContext({ values });
    const skeleton = path.join(dir, String(input.url ?? './skeleton'));
    const target = String(input.targetPath ?? '.');
    for (const file of await walk(skeleton)) {
      const relative = render(path.relative(skeleton, file), files);
      workspace.set(path.normalize(path.join(target, relative)), {
        text: render(await fs.readFile(file, 'utf8'), files),
        source: path.relative(path.dirname(dir), file),
        values,
      });
    }
  }
  return workspace;
}

/** The documents one kubernetes:apply step sends, each with where it came from. */
function applyDocuments(
  templateFile: string,
  step: Json,
  input: Json,
  workspace: Map<string, WorkspaceFile>,
  parameters: Json,
): { source: string; text: string; values: Json }[] {
  if (typeof input.manifests === 'string') {
    return [
      {
        source: `${templateFile} (step ${step.id})`,
        text: input.manifests,
        values: parameters,
      },
    ];
  }
  const wanted = path.normalize(String(input.path ?? '.'));
  const exact = workspace.get(wanted);
  if (exact) return [exact];
  // A folder: its own YAML files (not sub-folders), in name order, as kubernetes:apply reads them.
  return [...workspace.entries()]
    .filter(
      ([file]) =>
        path.dirname(file) === wanted && /\.ya?ml$/.test(path.basename(file)),
    )
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, file]) => file);
}

/** Checks one template folder (template.yaml + skeleton/) against the cluster definition. */
export async function lintTemplate(
  dir: string,
  cluster: ClusterDefinition,
): Promise<LintError[]> {
  const template = parseYaml(
    await fs.readFile(path.join(dir, 'template.yaml'), 'utf8'),
  );
  const name = template.metadata?.name ?? path.basename(dir);
  const templateFile = path.join(path.basename(dir), 'template.yaml');
  const steps: Json[] = template.spec?.steps ?? [];
  const errors = new Map<string, LintError>();

  for (const variant of parameterVariants(template)) {
    const context = renderer.prepareContext({
      parameters: variant.parameters,
    } as any);
    const workspace = await renderWorkspace(dir, steps, context);
    const partitionsByTopic = new Map<string, number>();
    for (const step of steps) {
      if (step.action !== 'kafka:topic:create' || !stepRuns(step, context))
        continue;
      const input = renderValue(step.input ?? {}, context) as Json;
      partitionsByTopic.set(String(input.topic), Number(input.partitions));
    }

    for (const step of steps) {
      if (step.action !== 'kubernetes:apply' || !stepRuns(step, context))
        continue;
      const applyInput = renderValue(step.input ?? {}, context) as Json;
      const documents = applyDocuments(
        templateFile,
        step,
        applyInput,
        workspace,
        variant.parameters,
      );
      const pathKey = `${step.id} apply-path`;
      if (documents.length === 0 && !errors.has(pathKey)) {
        errors.set(pathKey, {
          template: name,
          file: templateFile,
          object: `step ${step.id}`,
          rule: 'apply-path',
          message: `kubernetes:apply finds no manifest at "${
            applyInput.path ?? '.'
          }" of the workspace the fetch:template steps write`,
          variant: variant.label,
        });
      }
      const objects = documents.flatMap(d =>
        parseAllDocuments(d.text)
          .map(doc => doc.toJS() as Json)
          .filter(Boolean)
          .map(object => ({ ...d, object })),
      );
      for (const { source, object, values } of objects) {
        const id = `${object.kind}/${object.metadata?.name}`;
        const fail = (rule: string, message: string) => {
          const key = [source, id, rule, message].join('|');
          if (!errors.has(key)) {
            errors.set(key, {
              template: name,
              file: source,
              object: id,
              rule,
              message,
              variant: variant.label,
            });
          }
        };
        lintObject(object, {
          cluster,
          namespace: object.metadata?.namespace ?? applyInput.namespace,
          kafkaCluster: values?.kafkaCluster ?? variant.parameters.kafkaCluster,
          partitionsByTopic,
          siblings: objects.map(o => o.object),
          fail,
        });
      }
    }
  }
  return [...errors.values()];
}

export interface ObjectContext {
  cluster: ClusterDefinition;
  namespace?: string;
  /** The portal's name of the Kafka cluster the template was rendered for. */
  kafkaCluster?: unknown;
  partitionsByTopic: Map<string, number>;
  /** Every object the same apply step sends. */
  siblings: Json[];
  fail: (rule: string, message: string) => void;
}

export function lintObject(object: Json, ctx: ObjectContext) {
  const { cluster, namespace, fail } = ctx;
  if (namespace && !cluster.namespaces.includes(namespace)) {
    fail(
      'namespace',
      `namespace "${namespace}" is not one of the cluster's (${cluster.namespaces.join(
        ', ',
      )})`,
    );
  }
  const group = apiGroup(String(object.apiVersion ?? ''));
  if (
    !isBuiltinGroup(group) &&
    !cluster.customResources.includes(`${group}/${object.kind}`)
  ) {
    fail(
      'crd',
      `${group}/${object.kind} is not installed by the cluster definition (no chart of helmfile.yaml ` +
        'and no CRD of manifests/ provides it)',
    );
  }
  const pod = object.spec?.template?.spec;
  if (pod) lintPod(pod, ctx);
  if (object.kind === 'ScaledObject') lintScaledObject(object, ctx);
  if (object.kind === 'VirtualService') {
    for (const gateway of object.spec?.gateways ?? []) {
      if (gateway === 'mesh') continue;
      const ref = String(gateway).includes('/')
        ? String(gateway)
        : `${namespace}/${gateway}`;
      if (!cluster.gateways.includes(ref)) {
        fail(
          'gateway',
          `gateway "${gateway}" is defined nowhere in the cluster definition (Gateways of manifests/: ${
            cluster.gateways.join(', ') || 'none'
          })`,
        );
      }
    }
  }
}

function lintPod(pod: Json, { cluster, fail }: ObjectContext) {
  const selector: Record<string, string> = pod.nodeSelector ?? {};
  const tolerations: Json[] = pod.tolerations ?? [];
  const targeted = groupsMatching(selector, cluster);
  if (targeted.length === 0) {
    fail(
      'node-selector',
      `nodeSelector ${JSON.stringify(selector)} matches no node group's labels`,
    );
  }
  const schedulable = targeted.filter(g =>
    g.taints
      .filter(t => t.effect !== 'PreferNoSchedule')
      .every(t => tolerates(tolerations, t)),
  );
  if (targeted.length > 0 && schedulable.length === 0) {
    const taints = targeted.flatMap(g =>
      g.taints.map(t => `${g.name}: ${t.key}=${t.value ?? ''}:${t.effect}`),
    );
    fail(
      'toleration',
      `does not tolerate the taints of the node groups it selects (${taints.join(
        '; ',
      )})`,
    );
  }
  const gpus = gpusPerPod(pod);
  if (gpus > 0) {
    // Each group is judged by its smallest node: it may grow by any of its instance types.
    const most = Math.max(0, ...schedulable.map(g => g.gpusPerNode));
    if (most === 0) {
      fail(
        'gpu',
        `asks for ${gpus} nvidia.com/gpu but selects no GPU node group`,
      );
    } else if (gpus > most) {
      fail(
        'gpu',
        `asks for ${gpus} nvidia.com/gpu per pod; no node group it can land on has nodes that large ` +
          `(${schedulable.map(g => `${g.name}: ${g.gpusPerNode}`).join(', ')})`,
      );
    }
  }
}

function lintScaledObject(object: Json, ctx: ObjectContext) {
  const { cluster, fail } = ctx;
  const triggers: Json[] = (object.spec?.triggers ?? []).filter(
    (t: Json) => t.type === 'kafka',
  );
  const max = Number(object.spec?.maxReplicaCount);
  for (const trigger of triggers) {
    for (const key of ['topic', 'lagThreshold', 'bootstrapServers']) {
      if (!trigger.metadata?.[key])
        fail('keda-trigger', `kafka trigger has no ${key}`);
    }
    const topic = trigger.metadata?.topic;
    const partitions =
      ctx.partitionsByTopic.get(String(topic)) ??
      (ctx.partitionsByTopic.size === 1
        ? [...ctx.partitionsByTopic.values()][0]
        : undefined);
    if (partitions !== undefined && max > partitions) {
      fail(
        'keda-max-replicas',
        `maxReplicaCount ${max} is more than the topic's ${partitions} partitions`,
      );
    }
    const bootstrap = trigger.metadata?.bootstrapServers;
    if (bootstrap) {
      const tls = trigger.metadata?.tls === 'enable';
      const named = cluster.kafkaClusters.find(
        k => k.name === ctx.kafkaCluster,
      );
      // The named cluster's listeners; any cluster's when the template names none.
      let clusters = named ? [named] : [];
      if (!ctx.kafkaCluster) clusters = cluster.kafkaClusters;
      const candidates = clusters.flatMap(k =>
        k.listeners.filter(l => l.tls === tls),
      );
      for (const address of String(bootstrap).split(',')) {
        if (!candidates.some(l => l.address === address.trim())) {
          fail(
            'keda-bootstrap',
            `bootstrapServers "${address}" is not ${
              ctx.kafkaCluster
                ? `the in-cluster address of Kafka cluster "${ctx.kafkaCluster}"`
                : 'the address of any Kafka cluster'
            } of the cluster definition (${
              candidates.map(l => l.address).join(', ') ||
              `manifests/ defines no Kafka named "${ctx.kafkaCluster}"`
            })`,
          );
        }
      }
    }
  }
  const targetRef = object.spec?.scaleTargetRef ?? {};
  const target = ctx.siblings.find(
    s =>
      s.kind === (targetRef.kind ?? 'Deployment') &&
      s.metadata?.name === targetRef.name,
  );
  if (!target) {
    fail(
      'keda-target',
      `scaleTargetRef ${targetRef.kind ?? 'Deployment'}/${
        targetRef.name
      } is not among the objects the template applies`,
    );
  } else if (target.spec?.replicas !== undefined) {
    fail(
      'keda-replicas',
      `${target.kind}/${target.metadata.name} sets spec.replicas (${target.spec.replicas}) although KEDA owns ` +
        'its replica count: a re-run of server-side apply would fight the autoscaler; leave it out',
    );
  }
}

/** Every template folder under `templatesDir` that deploys to the cluster, and the definition. */
export async function lintTemplates(
  templatesDir: string,
  cluster: ClusterDefinition,
) {
  const errors: LintError[] = cluster.problems.map(p => ({
    template: 'eks-cluster',
    ...p,
  }));
  const checked: string[] = [];
  for (const entry of (
    await fs.readdir(templatesDir, { withFileTypes: true })
  ).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = path.join(templatesDir, entry.name);
    if (!entry.isDirectory()) continue;
    if (
      !(await fs.stat(path.join(dir, 'template.yaml')).catch(() => undefined))
    )
      continue;
    checked.push(entry.name);
    errors.push(...(await lintTemplate(dir, cluster)));
  }
  return { checked, errors };
}
