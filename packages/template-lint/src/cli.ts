/*
 * yarn template-lint [templatesDir] [clusterDir]
 * Checks every template of templates/, and the portal's own manifests (clusterDir/portal),
 * against templates/eks-cluster; exits 1 on an error.
 */
import path from 'node:path';
import { readClusterDefinition } from './cluster';
import { lintTemplates } from './lint';
import { lintPortalManifests } from './portal';

async function main() {
  // Run from the repository root (yarn template-lint).
  const root = process.cwd();
  const templatesDir = path.resolve(
    process.argv[2] ?? path.join(root, 'templates'),
  );
  const clusterDir = path.resolve(
    process.argv[3] ?? path.join(templatesDir, 'eks-cluster'),
  );
  const cluster = await readClusterDefinition(clusterDir);
  const templates = await lintTemplates(templatesDir, cluster);
  const portal = await lintPortalManifests(clusterDir, cluster, {
    sandboxRbac: path.join(root, 'sandbox/k8s/cluster/30-rbac.yaml'),
  });
  const checked = templates.checked;
  const errors = [...templates.errors, ...portal.errors];
  for (const e of errors) {
    process.stdout.write(
      `${e.template}: ${e.file}: ${e.object}: [${e.rule}] ${e.message}${
        e.variant ? ` (with ${e.variant})` : ''
      }\n`,
    );
  }
  process.stdout.write(
    `${checked.length} templates checked against ${
      cluster.name ?? clusterDir
    } and ${portal.checked} objects of its portal/ ` +
      `(${cluster.nodeGroups.map(g => g.name).join(', ')}): ${
        errors.length
      } errors\n`,
  );
  process.exitCode = errors.length > 0 ? 1 : 0;
}

main().catch(error => {
  process.stderr.write(`template lint failed: ${error.message ?? error}\n`);
  process.exitCode = 1;
});
