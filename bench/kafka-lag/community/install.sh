#!/usr/bin/env bash
# Unpacks @backstage-community/plugin-kafka-backend (the version in package.json's
# benchDependencies) from the npm registry into this folder's node_modules, for
# bench/kafka-lag/run.ts only. The app's install is untouched: the plugin is no dependency of
# packages/backend or of any plugin, and it is not a yarn workspace. Its own dependencies
# (express, express-promise-router, lodash, kafkajs, @backstage/errors,
# @backstage/backend-defaults) are not installed here: Node resolves them from the
# repository's node_modules, which has them all.
set -euo pipefail
cd "$(dirname "$0")"
pkg=@backstage-community/plugin-kafka-backend
version=$(node -p "require('./package.json').benchDependencies['$pkg']")
dest=node_modules/$pkg
if [ -f "$dest/package.json" ] && [ "$(node -p "require('./$dest/package.json').version")" = "$version" ]; then
  echo "$pkg@$version already unpacked in $(pwd)/$dest"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack --silent "$pkg@$version" --pack-destination "$tmp" >/dev/null
rm -rf "$dest" && mkdir -p "$dest"
tar xzf "$tmp"/*.tgz --strip-components=1 -C "$dest"
echo "unpacked $pkg@$version into $(pwd)/$dest"
