#!/usr/bin/env bash
# Backstage's host build of the backend: dist/bundle.tar.gz and dist/skeleton.tar.gz, which
# the container image (Dockerfile) and `scripts/sandbox up prod` unpack and run.
#
#   packages/backend/scripts/build-bundle.sh     (Node 22 and yarn on PATH: . scripts/lib.sh && ensure_tools)
#
# `yarn workspace backend build` alone would build the backend's workspace dependencies
# through their own `build` scripts, which this repository's plugins do not have (they run
# from source in development). So: the frontend (`yarn workspace app build`, bundled into the
# backend's package), type declarations (`yarn tsc`, into dist-types), each workspace package
# the backend depends on with `backstage-cli package build`, then the backend with
# --skip-build-dependencies. Set SKIP_APP_BUILD=1 when packages/app/dist is already current.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"

if [ "${SKIP_APP_BUILD:-}" != 1 ]; then
  echo "== packages/app (yarn workspace app build)"
  yarn workspace app build
fi

# tsc writes the declarations also when some file has a type error (work in progress
# elsewhere): warn and go on; the package builds below fail if one is missing.
echo "== yarn tsc (type declarations into dist-types)"
yarn tsc || echo "warning: yarn tsc reported type errors; declarations written anyway"

# The workspace packages the backend depends on, directly or through one another (not the
# app, which is linked and built above).
deps="$(node --no-warnings - "$root" <<'JS'
const { readFileSync, readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const root = process.argv[2];
const dirs = new Map();
for (const parent of ['packages', 'plugins']) {
  for (const name of readdirSync(join(root, parent))) {
    const file = join(root, parent, name, 'package.json');
    if (existsSync(file)) dirs.set(JSON.parse(readFileSync(file, 'utf8')).name, join(parent, name));
  }
}
const seen = new Set();
const visit = name => {
  const pkg = JSON.parse(readFileSync(join(root, dirs.get(name), 'package.json'), 'utf8'));
  for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
    if (!String(range).startsWith('workspace:') || seen.has(dep) || !dirs.has(dep)) continue;
    seen.add(dep);
    visit(dep);
  }
};
visit('backend');
for (const name of seen) console.log(dirs.get(name));
JS
)"
for dir in $deps; do
  echo "== $dir (backstage-cli package build)"
  (cd "$root/$dir" && yarn backstage-cli package build)
done

echo "== packages/backend (backstage-cli package build --skip-build-dependencies)"
yarn workspace backend build --skip-build-dependencies
ls -l packages/backend/dist
