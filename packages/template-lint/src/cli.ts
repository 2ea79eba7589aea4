/*
 * yarn template-lint [templatesDir] [clusterDir]
 * Checks every template of templates/ against templates/eks-cluster; exits 1 on an error.
 */
import path from 'node:path';
import { readClusterDefinition } from './cluster';
import { lintTemplates } from './lint';

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
  const { checked, errors } = await lintTemplates(templatesDir, cluster);
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
    } ` +
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
