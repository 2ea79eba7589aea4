import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/**
 * End-to-end tests of the portal in production mode: `scripts/sandbox up prod` runs two
 * replicas behind nginx with OIDC sign-in; these specs (e2e/prod*.spec.ts) drive Debian's
 * Chromium through nginx. Nothing is started here.
 *
 *   eval "$(scripts/sandbox env)" && yarn playwright test -c playwright.prod.config.ts
 */
export default defineConfig({
  ...base,
  testMatch: 'prod*.spec.ts',
  testIgnore: [],
  workers: 1,
  projects: [{ name: 'production' }],
  // Its own folder: a run empties its outputDir, and the main suite's screenshots stay.
  outputDir: 'test-results/e2e-prod',
  webServer: [],
  use: {
    ...base.use,
    baseURL: process.env.SANDBOX_PORTAL_URL ?? 'http://127.0.0.1:57080',
  },
});
