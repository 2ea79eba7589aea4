import fs from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ClusterDefinition } from './cluster';
import { LintError, lintObject } from './lint';

type Json = any;

/** Backstage's health endpoints, which the portal's probes must use. */
export const READINESS_PATH = '/.backstage/health/v1/readiness';
export const LIVENESS_PATH = '/.backstage/health/v1/liveness';

const READ_VERBS = ['get', 'list', 'watch'];
/** Names of settings whose values are credentials: they come from a Secret, never a literal. */
const SECRET_NAME =
  /(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|_URL_WITH_CREDENTIALS)$/i;
/** A connection string carrying a password (scheme://user:password@host). */
const CREDENTIAL_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

export interface PortalObject {
  file: string;
  object: Json;
}

/** The objects of the portal's manifests (templates/eks-cluster/portal/*.yaml, not kustomization.yaml). */
export async function readPortalManifests(
  portalDir: string,
): Promise<PortalObject[]> {
  const files = (await fs.readdir(portalDir).catch(() => []))
    .filter(f => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f))
    .sort();
  const objects: PortalObject[] = [];
  for (const file of files) {
    const text = await fs.readFile(path.join(portalDir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS();
      if (object) objects.push({ file: `portal/${file}`, object });
    }
  }
  return objects;
}

const matches = (
  selector: Record<string, string>,
  labels: Record<string, string>,
) =>
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const ruleKey = (rule: Json) =>
  JSON.stringify({
    apiGroups: [...(rule.apiGroups ?? [])].sort(),
    resources: [...(rule.resources ?? [])].sort(),
    nonResourceURLs: [...(rule.nonResourceURLs ?? [])].sort(),
    verbs: [...(rule.verbs ?? [])].sort(),
  });

/** Namespaces every cluster has, which namespaces.yaml does not list. */
const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'default'];

/**
 * Checks the portal's own manifests (templates/eks-cluster/portal) against the cluster
 * definition, as a template's are (namespaces, custom resources, node selectors and
 * tolerations), and for what running the portal there needs: two replicas, Backstage's
 * health endpoints as probes, a PodDisruptionBudget, a Service and an nginx Ingress that reach
 * the pods, no response buffering for the chat's server-sent events, a ServiceAccount bound to
 * a read-only ClusterRole, and no credential written into a manifest. `sandboxRbac` (the
 * sandbox's RBAC file) has the roles the portal's must match.
 */
export async function lintPortalManifests(
  clusterDir: string,
  cluster: ClusterDefinition,
  options: { sandboxRbac?: string } = {},
): Promise<{ checked: number; errors: LintError[] }> {
  const objects = await readPortalManifests(path.join(clusterDir, 'portal'));
  const sandbox = options.sandboxRbac
    ? (await readPortalManifestsFile(options.sandboxRbac)).map(o => o.object)
    : undefined;
  return {
    checked: objects.length,
    errors: lintPortalObjects(objects, cluster, sandbox),
  };
}

async function readPortalManifestsFile(file: string): Promise<PortalObject[]> {
  const text = await fs.readFile(file, 'utf8');
  return parseAllDocuments(text)
    .map(doc => doc.toJS())
    .filter(Boolean)
    .map(object => ({ file, object }));
}

export function lintPortalObjects(
  objects: PortalObject[],
  cluster: ClusterDefinition,
  sandboxObjects?: Json[],
): LintError[] {
  const errors: LintError[] = [];
  const all = objects.map(o => o.object);
  const ofKind = (kind: string) => objects.filter(o => o.object.kind === kind);
  const failFor =
    ({ file, object }: PortalObject) =>
    (rule: string, message: string) =>
      errors.push({
        template: 'eks-cluster/portal',
        file,
        object: `${object.kind}/${object.metadata?.name}`,
        rule,
        message,
      });

  for (const item of objects) {
    const namespace = item.object.metadata?.namespace;
    lintObject(item.object, {
      cluster,
      namespace: SYSTEM_NAMESPACES.includes(namespace) ? undefined : namespace,
      partitionsByTopic: new Map(),
      siblings: all,
      fail: failFor(item),
    });
    lintCredentials(item, failFor(item));
  }

  const deployments = ofKind('Deployment');
  if (deployments.length === 0) {
    errors.push({
      template: 'eks-cluster/portal',
      file: 'portal/',
      object: 'Deployment',
      rule: 'portal-deployment',
      message: 'the portal has no Deployment',
    });
  }
  for (const item of deployments) {
    const fail = failFor(item);
    const spec = item.object.spec ?? {};
    const namespace = item.object.metadata?.namespace;
    const podLabels: Record<string, string> =
      spec.template?.metadata?.labels ?? {};
    const pod = spec.template?.spec ?? {};

    if (!(Number(spec.replicas) >= 2)) {
      fail(
        'portal-replicas',
        `replicas is ${spec.replicas ?? 1}: the portal runs at least two`,
      );
    }
    for (const container of pod.containers ?? []) {
      const probe = (name: string) => container[name]?.httpGet?.path;
      if (probe('readinessProbe') !== READINESS_PATH) {
        fail(
          'portal-probes',
          `container ${
            container.name
          }: readinessProbe must be an httpGet of ${READINESS_PATH} (is ${
            probe('readinessProbe') ?? 'none'
          })`,
        );
      }
      if (probe('livenessProbe') !== LIVENESS_PATH) {
        fail(
          'portal-probes',
          `container ${
            container.name
          }: livenessProbe must be an httpGet of ${LIVENESS_PATH} (is ${
            probe('livenessProbe') ?? 'none'
          })`,
        );
      }
    }

    const pdbs = ofKind('PodDisruptionBudget').filter(
      p =>
        p.object.metadata?.namespace === namespace &&
        matches(p.object.spec?.selector?.matchLabels ?? {}, podLabels),
    );
    if (pdbs.length === 0) {
      fail(
        'portal-pdb',
        `no PodDisruptionBudget selects its pods (${JSON.stringify(
          podLabels,
        )})`,
      );
    }
    for (const pdb of pdbs) {
      const { minAvailable, maxUnavailable } = pdb.object.spec ?? {};
      if (
        !(Number(minAvailable) >= 1) &&
        !(Number(maxUnavailable) < Number(spec.replicas))
      ) {
        failFor(pdb)(
          'portal-pdb',
          'must keep at least one replica available (minAvailable >= 1)',
        );
      }
    }

    const ports = (pod.containers ?? []).flatMap((c: Json) => c.ports ?? []);
    const services = ofKind('Service').filter(
      s =>
        s.object.metadata?.namespace === namespace &&
        matches(s.object.spec?.selector ?? {}, podLabels),
    );
    if (services.length === 0) {
      fail(
        'portal-service',
        `no Service selects its pods (${JSON.stringify(podLabels)})`,
      );
    }
    for (const service of services) {
      for (const port of service.object.spec?.ports ?? []) {
        const target = port.targetPort ?? port.port;
        const found = ports.some(
          (p: Json) => p.name === target || p.containerPort === Number(target),
        );
        if (!found) {
          failFor(service)(
            'portal-service',
            `targetPort ${target} is no container port of the portal`,
          );
        }
      }
    }

    const account = pod.serviceAccountName;
    if (!account) {
      fail('portal-rbac', 'the pods name no serviceAccountName');
    } else if (
      !ofKind('ServiceAccount').some(
        s =>
          s.object.metadata?.name === account &&
          s.object.metadata?.namespace === namespace,
      )
    ) {
      fail(
        'portal-rbac',
        `ServiceAccount ${namespace}/${account} is not among the manifests`,
      );
    } else {
      const bound = ofKind('ClusterRoleBinding').filter(b =>
        (b.object.subjects ?? []).some(
          (s: Json) =>
            s.kind === 'ServiceAccount' &&
            s.name === account &&
            s.namespace === namespace,
        ),
      );
      const readOnly = bound.filter(b => {
        const role = ofKind('ClusterRole').find(
          r => r.object.metadata?.name === b.object.roleRef?.name,
        );
        return role && isReadOnly(role.object);
      });
      if (readOnly.length === 0) {
        fail(
          'portal-rbac',
          `ServiceAccount ${account} is bound cluster-wide to no read-only ClusterRole of the manifests`,
        );
      }
      for (const b of bound) {
        const role = ofKind('ClusterRole').find(
          r => r.object.metadata?.name === b.object.roleRef?.name,
        );
        if (role && !isReadOnly(role.object)) {
          failFor(b)(
            'portal-rbac',
            `binds ${account} cluster-wide to ${role.object.metadata.name}, which may change objects or read secrets`,
          );
        }
      }
    }

    for (const ref of [
      ...(pod.containers ?? [])
        .flatMap((c: Json) => c.envFrom ?? [])
        .map((e: Json) => e.configMapRef?.name),
      ...(pod.volumes ?? []).map((v: Json) => v.configMap?.name),
    ].filter(Boolean)) {
      if (!ofKind('ConfigMap').some(c => c.object.metadata?.name === ref)) {
        fail('portal-config', `ConfigMap ${ref} is not among the manifests`);
      }
    }
  }

  for (const item of ofKind('Ingress')) {
    const fail = failFor(item);
    const spec = item.object.spec ?? {};
    if (spec.ingressClassName !== 'nginx') {
      fail(
        'portal-ingress',
        `ingressClassName is ${
          spec.ingressClassName ?? 'unset'
        }, not nginx (ingress-nginx)`,
      );
    }
    const annotations = item.object.metadata?.annotations ?? {};
    if (annotations['nginx.ingress.kubernetes.io/proxy-buffering'] !== 'off') {
      fail(
        'portal-ingress',
        'nginx.ingress.kubernetes.io/proxy-buffering must be "off": the chat streams server-sent events',
      );
    }
    const backends = (spec.rules ?? []).flatMap((r: Json) =>
      (r.http?.paths ?? []).map((p: Json) => p.backend?.service),
    );
    for (const backend of backends) {
      const service = ofKind('Service').find(
        s =>
          s.object.metadata?.name === backend?.name &&
          s.object.metadata?.namespace === item.object.metadata?.namespace,
      );
      const port = backend?.port?.name ?? backend?.port?.number;
      if (!service) {
        fail(
          'portal-ingress',
          `backend service ${backend?.name} is not among the manifests`,
        );
      } else if (
        !(service.object.spec?.ports ?? []).some(
          (p: Json) => p.name === port || p.port === port,
        )
      ) {
        fail(
          'portal-ingress',
          `backend port ${port} is no port of Service ${backend.name}`,
        );
      }
    }
  }

  if (sandboxObjects) {
    for (const item of ofKind('ClusterRole')) {
      const twin = sandboxObjects.find(
        o =>
          o.kind === 'ClusterRole' &&
          o.metadata?.name === item.object.metadata?.name,
      );
      if (!twin) continue;
      const mine = (item.object.rules ?? []).map(ruleKey).sort();
      const theirs = (twin.rules ?? []).map(ruleKey).sort();
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
        failFor(item)(
          'portal-rbac',
          `its rules differ from the sandbox's ClusterRole of the same name (sandbox/k8s/cluster/30-rbac.yaml)`,
        );
      }
    }
  }
  return errors;
}

function isReadOnly(role: Json): boolean {
  return (role.rules ?? []).every(
    (r: Json) =>
      (r.verbs ?? []).every((v: string) => READ_VERBS.includes(v)) &&
      !(r.resources ?? []).some(
        (res: string) => res === 'secrets' || res === '*',
      ),
  );
}

function lintCredentials(
  item: PortalObject,
  fail: (rule: string, message: string) => void,
) {
  const { object } = item;
  if (object.kind === 'Secret' && (object.data || object.stringData)) {
    fail(
      'portal-secrets',
      'a Secret with its values is written into the manifests: create it outside them',
    );
  }
  if (object.kind === 'ConfigMap') {
    for (const [key, value] of Object.entries(object.data ?? {})) {
      if (SECRET_NAME.test(key) || CREDENTIAL_URL.test(String(value))) {
        fail(
          'portal-secrets',
          `ConfigMap key ${key} holds a credential: take it from the Secret`,
        );
      }
    }
  }
  const pod = object.spec?.template?.spec;
  for (const container of [
    ...(pod?.containers ?? []),
    ...(pod?.initContainers ?? []),
  ]) {
    for (const env of container.env ?? []) {
      if (env.value === undefined) continue;
      if (
        SECRET_NAME.test(env.name) ||
        CREDENTIAL_URL.test(String(env.value))
      ) {
        fail(
          'portal-secrets',
          `container ${container.name}: ${env.name} is a literal; take it from the Secret (valueFrom.secretKeyRef or envFrom)`,
        );
      }
    }
  }
}
