/*
 * The portal's manifests (templates/eks-cluster/portal) rendered by kustomize and applied with
 * server-side dry run to the sandbox's kube-apiserver: its own validation, defaulting and
 * admission accept every object. Needs `scripts/sandbox up k8s` and its settings
 * (eval "$(scripts/sandbox env)").
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { sandboxEnv } from '@internal/sandbox';

jest.setTimeout(60_000);

const portalDir = path.resolve(
  __dirname,
  '../../../templates/eks-cluster/portal',
);

function kubectl(args: string[], input?: string) {
  const { k8s } = sandboxEnv();
  const result = spawnSync(
    k8s.kubectl,
    ['--kubeconfig', k8s.kubeconfigs.admin, ...args],
    { input, encoding: 'utf8', timeout: 45_000 },
  );
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

describe('the portal manifests on the sandbox API server', () => {
  let rendered: string;

  beforeAll(() => {
    const out = kubectl(['kustomize', portalDir]);
    if (out.status !== 0)
      throw new Error(`kubectl kustomize failed: ${out.stderr}`);
    rendered = out.stdout;
  });

  it('render with kustomize, the image set by kustomization.yaml', () => {
    const objects = parseAllDocuments(rendered).map(d => d.toJS());
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'ClusterRole/platform-portal-deployer',
        'ClusterRole/platform-portal-reader',
        'ClusterRoleBinding/platform-portal-reader',
        'ConfigMap/platform-portal-config',
        'ConfigMap/platform-portal-env',
        'Deployment/platform-portal',
        'Ingress/platform-portal',
        'PodDisruptionBudget/platform-portal',
        'RoleBinding/platform-portal-deployer',
        'RoleBinding/platform-portal-deployer',
        'RoleBinding/platform-portal-deployer',
        'RoleBinding/platform-portal-deployer',
        'Role/platform-portal-leases',
        'RoleBinding/platform-portal-leases',
        'Service/platform-portal',
        'ServiceAccount/platform-portal',
      ].sort(),
    );
    const deployment = objects.find(o => o.kind === 'Deployment');
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      'registry.example.com/platform/portal:latest',
    );
  });

  it('are accepted by kube-apiserver with server-side dry run', () => {
    // Server-side apply: the API server merges them with what the sandbox's cluster already
    // has (its own portal ServiceAccount and roles), validates and admits, and stores nothing.
    const out = kubectl(
      [
        'apply',
        '--server-side',
        '--force-conflicts',
        '--field-manager=portal-manifests-test',
        '--dry-run=server',
        '-f',
        '-',
      ],
      rendered,
    );
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toHaveLength(16);
    for (const line of lines) {
      expect(line).toMatch(/ serverside-applied \(server dry run\)$/);
    }
    expect(lines).toContainEqual(
      expect.stringMatching(/^deployment\.apps\/platform-portal /),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^poddisruptionbudget\.policy\/platform-portal /),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ingress\.networking\.k8s\.io\/platform-portal /),
    );
  });

  it('are refused by the same dry run when an object is invalid', () => {
    const objects = parseAllDocuments(rendered).map(d => d.toJS());
    const deployment = objects.find(o => o.kind === 'Deployment');
    deployment.spec.replicas = -1;
    const out = kubectl(
      ['apply', '--server-side', '--dry-run=server', '-f', '-'],
      stringify(deployment),
    );
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain('spec.replicas');
  });
});
