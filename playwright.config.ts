import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: Debian's Chromium (never a downloaded browser) against the
 * real portal. `scripts/test.sh` builds the frontend first; the backend serves it
 * on :7007 with the embedded defaults, the sandbox's app-config.local.yaml and
 * e2e/app-config.e2e.yaml.
 */
const baseURL = process.env.PORTAL_URL ?? 'http://localhost:7007';

// The running sandbox's settings (its Kubernetes token, model server, ...), when it is up.
const sandboxConfig = existsSync(`${__dirname}/app-config.local.yaml`)
  ? ' --config ../../app-config.local.yaml'
  : '';

export default defineConfig({
  testDir: 'e2e',
  // The production-mode specs run against `scripts/sandbox up prod`: playwright.prod.config.ts.
  testIgnore: 'prod*.spec.ts',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The specs run one at a time, in file order (they share the sandbox: the scaffolder spec
  // frees a GPU that the GPU spec counts taken), and the two-clusters spec beside them.
  workers: 2,
  projects: [
    {
      name: 'portal',
      testIgnore: ['prod*.spec.ts', 'two-clusters.spec.ts'],
      workers: 1,
    },
    { name: 'two-clusters', testMatch: 'two-clusters.spec.ts', workers: 1 },
  ],
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  use: {
    baseURL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  webServer: process.env.PORTAL_URL
    ? []
    : [
        {
          command: `yarn workspace backend start --config ../../app-config.yaml${sandboxConfig} --config ../../e2e/app-config.e2e.yaml`,
          url: `${baseURL}/.backstage/health/v1/readiness`,
          reuseExistingServer: !process.env.CI,
          timeout: 180_000,
          stdout: 'ignore',
          stderr: 'pipe',
        },
      ],
});
