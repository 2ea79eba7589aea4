/*
 * The jest configuration `yarn test` and scripts/test.sh run (`--config scripts/jest/config.js`):
 * Backstage's own, with two changes to where transformed files are cached.
 *
 * - Backstage's swc transform runs under scripts/jest/sharedCacheTransform.js, whose cache key
 *   a fresh clone and every package share (why: that file's comment).
 * - The cache lives in $PORTAL_CACHE/jest when scripts/lib.sh set PORTAL_CACHE (beside the
 *   project's other caches; scripts/test.sh bounds its size), else in jest's default place.
 */
const path = require('node:path');

const backstageSwcTransform = require.resolve(
  '@backstage/cli-module-test-jest/config/jestSwcTransform',
);
const sharedCacheTransform = require.resolve('./sharedCacheTransform');
const cacheDirectory = process.env.PORTAL_CACHE
  ? path.join(process.env.PORTAL_CACHE, 'jest')
  : undefined;

function withSharedCache(project) {
  const transform = {};
  for (const [pattern, entry] of Object.entries(project.transform ?? {})) {
    const [transformer, options] = Array.isArray(entry) ? entry : [entry, {}];
    transform[pattern] =
      transformer === backstageSwcTransform
        ? [sharedCacheTransform, { transformer, options }]
        : entry;
  }
  return { ...project, transform, ...(cacheDirectory && { cacheDirectory }) };
}

module.exports = (async () => {
  const config = await require('@backstage/cli/config/jest');
  return config.projects
    ? { ...config, projects: config.projects.map(withSharedCache) }
    : withSharedCache(config);
})();
