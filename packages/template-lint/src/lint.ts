import fs from 'node:fs/promises';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { ClusterDefinition, NodeGroup } from './cluster';

export interface LintError {
  template: string;
  file: string;
  object: string;
  rule: string;
  message: string;
}

type Json = any;

/** Values for required parameters without a default, so that a template can be rendered. */
const SAMPLE_VALUES: Record<string, unknown> = {
  name: 'lint-check',
  owner: 'group:default/platform-team',
  topic: 'lint-check-events',
  repository: 'lint/check',
  tag: '1.0.0',
  image: 'ghcr.io/ml-platform/lint-check:1.0.0',
};

// The scaffolder's own delimiters: ${{ expression }}.
const env = new nunjucks.Environment(undefined, {
  autoescape: false,
  tags: { variableStart: '${{', variableEnd: '}}' },
});

function render(text: string, context: object): string {
  return env.renderString(text, context);
}

/** Renders a step input value: "${{ parameters.x }}" alone keeps x's type, as the scaffolder does. */
function renderValue(value: unknown, context: object): unknown {
  if (typeof value === 'string') {
    const single = /^\$\{\{\s*([^}]+?)\s*\}\}$/.exec(value);
    if (single && /^parameters\.[a-zA-Z0-9_]+$/.test(single[1])) {
      return (context as Json).parameters[
        single[1].slice('parameters.'.length)
      ];
    }
    return render(value, context);
  }
  if (Array.isArray(value)) return value.map(v => renderValue(v, context));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, renderValue(v, context)]),
    );
  }
  return value;
}

/** Each parameter's default, or a sample value for the required ones. */
function parameterValues(template: Json): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const pages = [template.spec?.parameters ?? []].flat();
  for (const page of pages) {
    for (const [name, schema] of Object.entries<Json>(page.properties ?? {})) {
      if (schema.default !== undefined) values[name] = schema.default;
      else if (name in SAMPLE_VALUES) values[name] = SAMPLE_VALUES[name];
    }
  }
  return values;
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

/** Checks one template folder (template.yaml + skeleton/) against the cluster definition. */
export async function lintTemplate(
  dir: string,
  cluster: ClusterDefinition,
): Promise<LintError[]> {
  const template = parseYaml(
    await fs.readFile(path.join(dir, 'template.yaml'), 'utf8'),
  );
  const name = template.metadata?.name ?? path.basename(dir);
  const parameters = parameterValues(template);
  const steps: Json[] = template.spec?.steps ?? [];
  const fetchStep = steps.find(s => s.action === 'fetch:template');
  const applyStep = steps.find(s => s.action === 'kubernetes:apply');
  const topicStep = steps.find(s => s.action === 'kafka:topic:create');
  const errors: LintError[] = [];
  if (!fetchStep || !applyStep) return errors; // nothing deployed to the cluster

  const context = { parameters };
  const values = renderValue(fetchStep.input?.values ?? {}, context) as Json;
  const applyInput = renderValue(applyStep.input ?? {}, context) as Json;
  const partitions = topicStep
    ? Number((renderValue(topicStep.input, context) as Json).partitions)
    : undefined;
  const skeleton = path.join(dir, String(fetchStep.input?.url ?? './skeleton'));
  const manifestsDir = path.join(
    skeleton,
    String(applyStep.input?.path ?? 'k8s'),
  );
  const files = (await fs.readdir(manifestsDir))
    .filter(f => /\.ya?ml$/.test(f))
    .sort();

  for (const file of files) {
    const where = path.relative(
      path.dirname(dir),
      path.join(manifestsDir, file),
    );
    const text = render(
      await fs.readFile(path.join(manifestsDir, file), 'utf8'),
      { values },
    );
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS() as Json;
      if (!object) continue;
      const id = `${object.kind}/${object.metadata?.name}`;
      const fail = (rule: string, message: string) =>
        errors.push({ template: name, file: where, object: id, rule, message });
      const namespace = object.metadata?.namespace ?? applyInput.namespace;
      if (namespace && !cluster.namespaces.includes(namespace)) {
        fail(
          'namespace',
          `namespace "${namespace}" is not one of the cluster's (${cluster.namespaces.join(
            ', ',
          )})`,
        );
      }
      const pod = object.spec?.template?.spec;
      if (pod) {
        const selector: Record<string, string> = pod.nodeSelector ?? {};
        const tolerations: Json[] = pod.tolerations ?? [];
        const targeted = groupsMatching(selector, cluster);
        if (targeted.length === 0) {
          fail(
            'node-selector',
            `nodeSelector ${JSON.stringify(
              selector,
            )} matches no node group's labels`,
          );
        }
        const schedulable = targeted.filter(g =>
          g.taints
            .filter(t => t.effect !== 'PreferNoSchedule')
            .every(t => tolerates(tolerations, t)),
        );
        if (targeted.length > 0 && schedulable.length === 0) {
          const taints = targeted.flatMap(g =>
            g.taints.map(
              t => `${g.name}: ${t.key}=${t.value ?? ''}:${t.effect}`,
            ),
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
          const most = Math.max(0, ...schedulable.map(g => g.maxGpusPerNode));
          if (most === 0) {
            fail(
              'gpu',
              `asks for ${gpus} nvidia.com/gpu but selects no GPU node group`,
            );
          } else if (gpus > most) {
            fail(
              'gpu',
              `asks for ${gpus} nvidia.com/gpu per pod; the largest GPU node has ${most}`,
            );
          }
        }
      }
      if (object.kind === 'ScaledObject') {
        const max = Number(object.spec?.maxReplicaCount);
        if (partitions !== undefined && max > partitions) {
          fail(
            'keda-max-replicas',
            `maxReplicaCount ${max} is more than the topic's ${partitions} partitions`,
          );
        }
        for (const trigger of (object.spec?.triggers ?? []).filter(
          (t: Json) => t.type === 'kafka',
        )) {
          for (const key of ['topic', 'lagThreshold']) {
            if (!trigger.metadata?.[key])
              fail('keda-trigger', `kafka trigger has no ${key}`);
          }
        }
      }
    }
  }
  return errors;
}

/** Every template folder under `templatesDir` that deploys to the cluster. */
export async function lintTemplates(
  templatesDir: string,
  cluster: ClusterDefinition,
) {
  const errors: LintError[] = [];
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
