import path from 'node:path';
import { readClusterDefinition } from './cluster';
import {
  lintPortalManifests,
  lintPortalObjects,
  readPortalManifests,
} from './portal';

const root = path.resolve(__dirname, '../../..');
const clusterDir = path.join(root, 'templates/eks-cluster');
const sandboxRbac = path.join(root, 'sandbox/k8s/cluster/30-rbac.yaml');

/** The repository's portal manifests with one object changed by `edit`. */
async function withEdit(kind: string, edit: (object: any) => void) {
  const objects = await readPortalManifests(path.join(clusterDir, 'portal'));
  const copy = JSON.parse(JSON.stringify(objects));
  const target = copy.find((o: any) => o.object.kind === kind);
  edit(target.object);
  return copy;
}

describe('the portal manifests (templates/eks-cluster/portal)', () => {
  it('lint clean against the cluster definition and the sandbox roles', async () => {
    const cluster = await readClusterDefinition(clusterDir);
    const { checked, errors } = await lintPortalManifests(clusterDir, cluster, {
      sandboxRbac,
    });
    expect(errors).toEqual([]);
    expect(checked).toBe(16);
  });

  it.each([
    [
      'one replica',
      'Deployment',
      (d: any) => (d.spec.replicas = 1),
      'portal-replicas',
    ],
    [
      'a probe on another path',
      'Deployment',
      (d: any) =>
        (d.spec.template.spec.containers[0].readinessProbe.httpGet.path = '/'),
      'portal-probes',
    ],
    [
      'a PDB selecting other pods',
      'PodDisruptionBudget',
      (p: any) => (p.spec.selector.matchLabels = { app: 'other' }),
      'portal-pdb',
    ],
    [
      'a Service to a port the pods lack',
      'Service',
      (s: any) => (s.spec.ports[0].targetPort = 8080),
      'portal-service',
    ],
    [
      'a buffering Ingress',
      'Ingress',
      (i: any) =>
        delete i.metadata.annotations[
          'nginx.ingress.kubernetes.io/proxy-buffering'
        ],
      'portal-ingress',
    ],
    [
      'an Ingress of another class',
      'Ingress',
      (i: any) => (i.spec.ingressClassName = 'alb'),
      'portal-ingress',
    ],
    [
      'a reader that may write',
      'ClusterRole',
      (r: any) => r.rules[0].verbs.push('delete'),
      'portal-rbac',
    ],
    [
      'a literal password',
      'Deployment',
      (d: any) =>
        (d.spec.template.spec.containers[0].env = [
          { name: 'POSTGRES_PASSWORD', value: 'hunter2' },
        ]),
      'portal-secrets',
    ],
    [
      'a connection string with a password in a ConfigMap',
      'ConfigMap',
      (c: any) => (c.data.REDIS = 'redis://portal:hunter2@redis:6379'),
      'portal-secrets',
    ],
    [
      'a node selector no group has',
      'Deployment',
      (d: any) =>
        (d.spec.template.spec.nodeSelector = {
          'eks.amazonaws.com/nodegroup': 'spot',
        }),
      'node-selector',
    ],
    [
      'a namespace the cluster lacks',
      'Service',
      (s: any) => (s.metadata.namespace = 'portal'),
      'namespace',
    ],
  ])('fail with %s', async (_what, kind, edit, rule) => {
    const cluster = await readClusterDefinition(clusterDir);
    const objects = await withEdit(kind, edit);
    const errors = lintPortalObjects(objects, cluster);
    expect(errors.map(e => e.rule)).toContain(rule);
  });
});
