/*
 * Tests of scripts/jest: the transform whose cache a fresh clone and every package share,
 * and the configuration that puts it in place of Backstage's swc transform.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const shared = require(join(repoRoot, 'scripts/jest/sharedCacheTransform.js'));
const backstageSwc = require.resolve(
  '@backstage/cli-module-test-jest/config/jestSwcTransform',
);
const TS_OPTIONS = { jsc: { parser: { syntax: 'typescript' } } };
const file = join(repoRoot, 'sandbox/src/env.ts');
const source = readFileSync(file, 'utf8');

/** What jest passes a transformer for a file of one project (one checkout, one package). */
function jestOptions(projectRoot: string, supportsStaticESM = false) {
  const config = {
    rootDir: join(projectRoot, 'src'),
    cacheDirectory: '/tmp/jest',
  };
  return {
    config,
    configString: JSON.stringify(config),
    instrument: false,
    supportsStaticESM,
    supportsDynamicImport: false,
    supportsExportNamespaceFrom: false,
    supportsTopLevelAwait: false,
  };
}

function transformer(options: object = TS_OPTIONS) {
  return shared.createTransformer({ transformer: backstageSwc, options });
}

const inlineMap = (code: string) =>
  JSON.parse(
    Buffer.from(
      /sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(
        code,
      )![1],
      'base64',
    ).toString(),
  );

describe('the shared-cache transform', () => {
  it('gives a file one key whichever package and checkout ask for it', () => {
    const key = (projectRoot: string) =>
      transformer().getCacheKey(source, file, jestOptions(projectRoot));
    const inSandbox = key(join(repoRoot, 'sandbox'));
    expect(key(join(repoRoot, 'plugins/kafka-lag-backend'))).toBe(inSandbox);
    expect(key('/tmp/another-clone/sandbox')).toBe(inSandbox);
    // Backstage's own transform keys on the project's configuration: what this file is for.
    const backstage = require(backstageSwc).createTransformer(TS_OPTIONS);
    expect(
      backstage.getCacheKey(
        source,
        file,
        jestOptions('/tmp/another-clone/sandbox'),
      ),
    ).not.toBe(
      backstage.getCacheKey(
        source,
        file,
        jestOptions(join(repoRoot, 'sandbox')),
      ),
    );
  });

  it('gives another key when the text, the path, the options or the module system differ', () => {
    const options = jestOptions(join(repoRoot, 'sandbox'));
    const key = transformer().getCacheKey(source, file, options);
    expect(transformer().getCacheKey(`${source}\n`, file, options)).not.toBe(
      key,
    );
    expect(
      transformer().getCacheKey(
        source,
        join(repoRoot, 'sandbox/src/idp.ts'),
        options,
      ),
    ).not.toBe(key);
    expect(
      transformer({
        jsc: { parser: { syntax: 'typescript', tsx: true } },
      }).getCacheKey(source, file, options),
    ).not.toBe(key);
    expect(
      transformer().getCacheKey(
        source,
        file,
        jestOptions(join(repoRoot, 'sandbox'), true),
      ),
    ).not.toBe(key);
  });

  it("transforms as Backstage's does, with a source map that names the file relative to itself", () => {
    const options = jestOptions(join(repoRoot, 'sandbox'));
    const ours = transformer().process(source, file, options).code;
    const theirs = require(backstageSwc)
      .createTransformer(TS_OPTIONS)
      .process(source, file, options).code;
    const withoutMap = (code: string) =>
      code.replace(/\/\/# sourceMappingURL=.*\s*$/, '');
    expect(withoutMap(ours)).toBe(withoutMap(theirs));
    expect(withoutMap(ours)).toMatch(/\bexports\b/);
    expect(inlineMap(ours).sources).toEqual(['env.ts']);
    expect(inlineMap(theirs).sources).toEqual([file]);
    expect({ ...inlineMap(ours), sources: [] }).toEqual({
      ...inlineMap(theirs),
      sources: [],
    });
  });
});

describe('scripts/jest/config.js', () => {
  const saved = process.env.PORTAL_CACHE;
  afterEach(() => {
    if (saved === undefined) delete process.env.PORTAL_CACHE;
    else process.env.PORTAL_CACHE = saved;
  });

  it('puts the shared-cache transform in place of every swc entry, and the cache under PORTAL_CACHE', async () => {
    process.env.PORTAL_CACHE = '/tmp/portal-cache-test';
    let config: any;
    jest.isolateModules(() => {
      config = require(join(repoRoot, 'scripts/jest/config.js'));
    });
    const resolved = await config;
    const projects = resolved.projects ?? [resolved];
    expect(projects.length).toBeGreaterThan(0);
    for (const project of projects) {
      const entries = Object.entries(project.transform) as [string, any][];
      const ts = entries.find(([pattern]) => pattern.includes('ts)$'));
      expect(ts?.[1][0]).toBe(
        require.resolve(join(repoRoot, 'scripts/jest/sharedCacheTransform.js')),
      );
      expect(ts?.[1][1].transformer).toBe(backstageSwc);
      expect(
        entries.some(
          ([, entry]) =>
            (Array.isArray(entry) ? entry[0] : entry) === backstageSwc,
        ),
      ).toBe(false);
      expect(project.cacheDirectory).toBe('/tmp/portal-cache-test/jest');
    }
  });
});
