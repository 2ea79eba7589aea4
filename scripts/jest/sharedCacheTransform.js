/*
 * Backstage's swc transform for jest, under a cache key that does not depend on where the
 * checkout is or on which package's tests load the file.
 *
 * Jest keys each transformed file on the whole project configuration, absolute paths included.
 * So every fresh clone (each CI run) and each of the repo's jest projects transformed the same
 * file again: 108,536 transforms and 1.7 GB of cache in one warm CI run (2026-12-08), most of
 * them node_modules files that many packages load. Here the key is the file's path inside the repository, its text,
 * the transform's options, the versions that shape the output, and the flags jest passes.
 *
 * The output must then be the same in every clone: swc is given the file's base name, so the
 * inline source map names the file relative to itself and stack frames map to this checkout.
 */
const crypto = require('node:crypto');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '../..');

/** The key's part that is the same for every file this transformer handles. */
function transformerSalt(transformer, options) {
  return JSON.stringify({
    transformer: path.relative(repoRoot, transformer),
    options,
    swc: require('@swc/core/package.json').version,
    swcJest: require('@swc/jest/package.json').version,
    // @swc/jest picks its output target from the Node.js major version.
    node: process.versions.node.split('.')[0],
    env: [process.env.NODE_ENV, process.env.BABEL_ENV],
  });
}

/**
 * `options`: { transformer: the path of the transform module to wrap, options: its options }
 * (scripts/jest/config.js sets them).
 */
function createTransformer({ transformer, options }) {
  const inner = require(transformer).createTransformer(options);
  const salt = transformerSalt(transformer, options);
  return {
    process(source, filename, jestOptions) {
      return inner.process(source, path.basename(filename), jestOptions);
    },
    getCacheKey(source, filename, jestOptions) {
      const flags = {
        instrument: Boolean(jestOptions.instrument),
        supportsDynamicImport: Boolean(jestOptions.supportsDynamicImport),
        supportsExportNamespaceFrom: Boolean(
          jestOptions.supportsExportNamespaceFrom,
        ),
        supportsStaticESM: Boolean(jestOptions.supportsStaticESM),
        supportsTopLevelAwait: Boolean(jestOptions.supportsTopLevelAwait),
      };
      return (
        crypto
          .createHash('sha1')
          .update(salt)
          .update('\0')
          .update(JSON.stringify(flags))
          .update('\0')
          // Coverage instruments the output with the file's absolute path.
          .update(
            flags.instrument ? filename : path.relative(repoRoot, filename),
          )
          .update('\0')
          .update(source)
          .digest('hex')
      );
    },
  };
}

module.exports = { createTransformer };
