import fs from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { kubeMessage, PlatformClients } from '../clients';
import { resolveInWorkspace } from './paths';

export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GPU = 'nvidia.com/gpu';
const POLL_MS = 1000;

type Manifest = KubernetesObject & { spec?: any; status?: any };

/** Parses and checks the manifests before anything is sent to the cluster. */
export function parseManifests(text: string, namespace?: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const [index, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) {
      throw new InputError(
        `manifests: document ${index + 1} is not valid YAML: ${
          doc.errors[0].message
        }`,
      );
    }
    const object = doc.toJS() as Manifest | null;
    if (!object) continue;
    const where = `manifests: document ${index + 1}`;
    if (!object.apiVersion || !object.kind || !object.metadata?.name) {
      throw new InputError(`${where} needs apiVersion, kind and metadata.name`);
    }
    if (
      !DNS_1123_LABEL.test(object.metadata.name) ||
      object.metadata.name.length > 63
    ) {
      throw new InputError(
        `${where} (${object.kind}): metadata.name "${object.metadata.name}" is not a valid Kubernetes name ` +
          '(lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63)',
      );
    }
    if (namespace && object.kind !== 'Namespace')
      object.metadata.namespace ??= namespace;
    manifests.push(object);
  }
  if (manifests.length === 0)
    throw new InputError('manifests: no Kubernetes object in the input');
  return manifests;
}

/**
 * Leaves `spec.replicas` out of every workload that a KEDA ScaledObject among the same
 * manifests targets: KEDA owns that count, and a server-side apply that sets it would take the
 * field back from the autoscaler on each re-run (or conflict with it). Returns the workloads
 * changed, as kind/name.
 */
export function leaveReplicasToKeda(manifests: Manifest[]): string[] {
  const changed: string[] = [];
  for (const scaled of manifests.filter(
    m => m.kind === 'ScaledObject' && m.apiVersion?.startsWith('keda.sh/'),
  )) {
    const target = scaled.spec?.scaleTargetRef ?? {};
    const workload = manifests.find(
      m =>
        m.kind === (target.kind ?? 'Deployment') &&
        m.metadata?.name === target.name &&
        (m.metadata?.namespace ?? '') === (scaled.metadata?.namespace ?? ''),
    );
    if (workload?.spec && 'replicas' in workload.spec) {
      delete workload.spec.replicas;
      changed.push(`${workload.kind}/${workload.metadata!.name}`);
    }
  }
  return changed;
}

/** GPUs a workload asks for per pod (the larger of requests and limits, summed over containers). */
export function gpusPerPod(manifest: Manifest): number {
  const containers: any[] = manifest.spec?.template?.spec?.containers ?? [];
  return containers.reduce((sum, c) => {
    const asked = Math.max(
      Number(c.resources?.limits?.[GPU] ?? 0),
      Number(c.resources?.requests?.[GPU] ?? 0),
    );
    return sum + asked;
  }, 0);
}

/** The largest GPU count a single node of the cluster offers, and which node. */
async function largestGpuNode(kubeConfig: KubeConfig) {
  const nodes = await kubeConfig.makeApiClient(CoreV1Api).listNode();
  let best = { gpus: 0, node: '', instanceType: '' };
  for (const node of nodes.items) {
    const gpus = Number(node.status?.allocatable?.[GPU] ?? 0);
    if (gpus > best.gpus) {
      best = {
        gpus,
        node: node.metadata!.name!,
        instanceType:
          node.metadata?.labels?.['node.kubernetes.io/instance-type'] ?? '',
      };
    }
  }
  return best;
}

/** Why a Deployment's pods are not available yet, from the pods themselves. */
async function whyNotAvailable(
  kubeConfig: KubeConfig,
  manifest: Manifest,
): Promise<string> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const selector = manifest.spec?.selector?.matchLabels ?? {};
  const pods = await core.listNamespacedPod({
    namespace: manifest.metadata!.namespace!,
    labelSelector: Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  });
  const reasons = pods.items.flatMap(pod => {
    const waiting = pod.status?.containerStatuses?.find(s => s.state?.waiting)
      ?.state?.waiting;
    if (waiting)
      return [
        `${pod.metadata!.name}: ${waiting.reason}${
          waiting.message ? ` (${waiting.message})` : ''
        }`,
      ];
    const scheduled = pod.status?.conditions?.find(
      c => c.type === 'PodScheduled',
    );
    if (scheduled?.status === 'False')
      return [`${pod.metadata!.name}: not scheduled: ${scheduled.message}`];
    return [];
  });
  return reasons.length > 0
    ? reasons.join('; ')
    : 'no pod reports a reason yet';
}

/** The manifests given inline, or read from a file or folder of the workspace. */
async function manifestText(
  workspace: string,
  input: { manifests?: string; path?: string },
): Promise<string> {
  if (input.manifests) return input.manifests;
  if (!input.path)
    throw new InputError('manifests: give either manifests or path');
  const target = await resolveInWorkspace(workspace, input.path, 'path');
  const stat = await fs.stat(target).catch(() => undefined);
  if (!stat)
    throw new InputError(`path: ${input.path} does not exist in the workspace`);
  const files = stat.isDirectory()
    ? (await fs.readdir(target))
        .filter(f => /\.ya?ml$/.test(f))
        .sort()
        .map(f => path.join(target, f))
    : [target];
  const texts = await Promise.all(files.map(f => fs.readFile(f, 'utf8')));
  return texts.join('\n---\n');
}

function sleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('cancelled'));
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('cancelled'));
    });
  });
}

/**
 * kubernetes:apply — server-side apply of one or more manifests to a cluster of
 * `kubernetes.clusterLocatorMethods`, with a field manager; a field owned by another manager is
 * a conflict, reported, not overwritten. Dry run: the API server's own `dryRun=All`, so
 * admission and RBAC are checked too. Deployments are then awaited (bounded, cancellable) and
 * the reason is given when they do not become available. Each object is applied inside a
 * checkpoint: a resumed task does not apply it again.
 */
export function createKubernetesApplyAction(
  clients: PlatformClients,
  defaults: { rolloutTimeoutSeconds: number },
) {
  return createTemplateAction({
    id: 'kubernetes:apply',
    description:
      'Server-side applies manifests to a cluster and waits for its Deployments to become available.',
    supportsDryRun: true,
    examples: [
      {
        description:
          'Apply the manifests a template rendered into the workspace',
        example: [
          'steps:',
          '  - id: deploy',
          '    action: kubernetes:apply',
          '    input:',
          '      cluster: eks-data-platform',
          '      namespace: apps',
          '      manifests: ${{ steps.render.output.manifests }}',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        cluster: z =>
          z
            .string()
            .min(1)
            .describe('A cluster name of kubernetes.clusterLocatorMethods'),
        manifests: z =>
          z.string().min(1).optional().describe('One or more YAML documents'),
        path: z =>
          z
            .string()
            .optional()
            .describe(
              'Or: a YAML file or a folder of them, relative to the workspace',
            ),
        namespace: z =>
          z
            .string()
            .regex(DNS_1123_LABEL, 'a valid Kubernetes name')
            .optional()
            .describe('Namespace for objects that name none'),
        fieldManager: z => z.string().default('backstage-scaffolder'),
        waitForRollout: z => z.boolean().default(true),
        timeoutSeconds: z => z.number().int().min(1).max(1800).optional(),
      },
      output: {
        applied: z =>
          z.array(z.string()).describe('kind/namespace/name of each object'),
      },
    },
    async handler(ctx) {
      // Defaults of the schema are not filled in by the scaffolder: apply them here.
      const { cluster, namespace } = ctx.input;
      const fieldManager = ctx.input.fieldManager ?? 'backstage-scaffolder';
      const waitForRollout = ctx.input.waitForRollout ?? true;
      const manifests = parseManifests(
        await manifestText(ctx.workspacePath, ctx.input),
        namespace,
      );
      for (const workload of leaveReplicasToKeda(manifests)) {
        ctx.logger.info(
          `${workload}: spec.replicas left out, its ScaledObject owns the replica count`,
        );
      }
      const { kubeConfig } = clients.kubernetes(cluster);
      const objects = KubernetesObjectApi.makeApiClient(kubeConfig);

      // Before any side effect: the GPUs each pod asks for must fit on one node.
      const gpuAsks = manifests
        .map(m => ({ m, gpus: gpusPerPod(m) }))
        .filter(a => a.gpus > 0);
      if (gpuAsks.length > 0) {
        const largest = await largestGpuNode(kubeConfig);
        for (const { m, gpus } of gpuAsks) {
          if (gpus > largest.gpus) {
            const offer = largest.gpus
              ? `the largest GPU node of ${cluster} (${largest.node}, ${largest.instanceType}) has ${largest.gpus}`
              : `no node of ${cluster} has a GPU`;
            throw new InputError(
              `gpus: ${m.kind} ${
                m.metadata!.name
              } asks for ${gpus} nvidia.com/gpu per pod; ${offer}`,
            );
          }
        }
      }

      const applied: string[] = [];
      for (const manifest of manifests) {
        const id = `${manifest.kind}/${manifest.metadata!.namespace ?? ''}/${
          manifest.metadata!.name
        }`;
        const apply = async () => {
          try {
            await objects.patch(
              manifest,
              undefined,
              ctx.isDryRun ? 'All' : undefined,
              fieldManager,
              false,
              PatchStrategy.ServerSideApply,
            );
          } catch (error: any) {
            const message = kubeMessage(error);
            if (error.code === 409) {
              throw new Error(
                `${id}: conflict with another field manager: ${message}`,
              );
            }
            if (error.code === 403) {
              throw new Error(
                `${id}: the portal's identity may not apply it (${message}); the platform team grants ` +
                  'deploy rights per namespace',
              );
            }
            throw new Error(`${id}: ${message}`);
          }
        };
        let appliedNow = ctx.isDryRun;
        if (ctx.isDryRun) await apply();
        else
          await ctx.checkpoint({
            key: `kubernetes.apply.${cluster}.${id}`,
            fn: async () => {
              await apply();
              appliedNow = true;
              return id;
            },
          });
        if (ctx.isDryRun) ctx.logger.info(`dry run: would apply ${id}`);
        else if (appliedNow) ctx.logger.info(`applied ${id}`);
        else
          ctx.logger.info(
            `${id} was applied before the task resumed (checkpoint); not applied again`,
          );
        applied.push(id);
      }
      ctx.output('applied', applied);
      if (ctx.isDryRun || !waitForRollout) return;

      const timeout =
        (ctx.input.timeoutSeconds ?? defaults.rolloutTimeoutSeconds) * 1000;
      for (const manifest of manifests.filter(m => m.kind === 'Deployment')) {
        const name = manifest.metadata!.name!;
        const started = Date.now();
        for (;;) {
          const live = (await objects.read(manifest as any)) as Manifest;
          const want = live.spec?.replicas ?? 1;
          const status = live.status ?? {};
          const progressing = status.conditions?.find(
            (c: any) => c.type === 'Progressing',
          );
          if (
            (status.observedGeneration ?? 0) >=
              (live.metadata?.generation ?? 0) &&
            (status.updatedReplicas ?? 0) >= want &&
            (status.availableReplicas ?? 0) >= want
          ) {
            ctx.logger.info(`Deployment ${name}: ${want}/${want} available`);
            break;
          }
          if (
            progressing?.status === 'False' ||
            Date.now() - started > timeout
          ) {
            throw new Error(
              `Deployment ${name} did not become available (${
                status.availableReplicas ?? 0
              }/${want} ` +
                `after ${Math.round(
                  (Date.now() - started) / 1000,
                )} s): ${await whyNotAvailable(kubeConfig, live)}`,
            );
          }
          await sleep(POLL_MS, ctx.signal);
        }
      }
    },
  });
}

/**
 * kubernetes:namespace:ensure — succeeds when the namespace exists; otherwise creates it, or
 * says that the portal may not (namespaces are the platform team's).
 */
export function createNamespaceEnsureAction(clients: PlatformClients) {
  return createTemplateAction({
    id: 'kubernetes:namespace:ensure',
    description:
      'Makes sure a namespace exists on a cluster (creates it when allowed).',
    supportsDryRun: true,
    examples: [
      {
        description: 'The namespace a service is deployed to',
        example:
          'steps:\n  - id: namespace\n    action: kubernetes:namespace:ensure\n    input:\n      cluster: eks-data-platform\n      namespace: apps',
      },
    ],
    schema: {
      input: {
        cluster: z => z.string().min(1),
        namespace: z =>
          z.string().regex(DNS_1123_LABEL, 'a valid Kubernetes name').max(63),
      },
      output: { created: z => z.boolean() },
    },
    async handler(ctx) {
      const { cluster, namespace } = ctx.input;
      const core = clients
        .kubernetes(cluster)
        .kubeConfig.makeApiClient(CoreV1Api);
      try {
        await core.readNamespace({ name: namespace });
        ctx.output('created', false);
        return;
      } catch (error: any) {
        if (error.code !== 404)
          throw new Error(`namespace: ${kubeMessage(error)}`);
      }
      if (ctx.isDryRun) {
        ctx.logger.info(`dry run: would create namespace ${namespace}`);
        ctx.output('created', false);
        return;
      }
      await ctx.checkpoint({
        key: `kubernetes.namespace.${cluster}.${namespace}`,
        fn: async () => {
          try {
            await core.createNamespace({
              body: { metadata: { name: namespace } },
            });
          } catch (error: any) {
            if (error.code === 409) return;
            throw new InputError(
              `namespace: ${namespace} does not exist on ${cluster} and the portal may not create it ` +
                `(${kubeMessage(
                  error,
                )}); choose an existing namespace or ask the platform team`,
            );
          }
        },
      });
      ctx.output('created', true);
    },
  });
}
