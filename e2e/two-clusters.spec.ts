import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';

/*
 * Two clusters (`scripts/sandbox up k8s helix`): the EKS-like one and the on-prem k3s one on
 * kine, each with its own node groups, problems and control plane. Stopping helix's API server
 * marks its panels stale with the last figures; the EKS cluster's stay as they were.
 * It runs beside the other specs (its own project in playwright.config.ts): most of its two
 * minutes are waits on the page's refresh and the probe, and no other spec reads helix.
 */
const sandbox = process.env.SANDBOX_CLI ?? `${__dirname}/../scripts/sandbox`;

test('both clusters, each with its own panels; one API server stopped leaves its last figures, marked stale', async ({
  page,
}, testInfo) => {
  // Its waits add up past the default two minutes on busy cores: the page's 15 s refresh, the
  // probe's timeout once the server is stopped, and the server's start again.
  test.setTimeout(360_000);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto('/cluster-health');
  await page.getByRole('button', { name: 'Enter' }).click();
  // A cluster's chip: its name and status (the releases panel also starts lines with a name).
  const chip = (name: string) =>
    page.getByText(new RegExp(`^${name}: (ok|degraded|down|starting)\\b`));
  await expect(chip('eks-data-platform')).toBeVisible({ timeout: 60_000 });
  await expect(chip('helix')).toHaveText(/^helix: ok/, { timeout: 60_000 });

  // The EKS-like cluster: its node groups and its control plane.
  await chip('eks-data-platform').click();
  await expect(page.getByText('Node group general')).toBeVisible();
  await expect(page.getByText('Node group worker')).toHaveCount(0);
  const controlPlane = page.getByText('Control plane', { exact: true });
  await expect(controlPlane).toBeVisible();
  await expect(page.getByText('/readyz: ok')).toBeVisible();
  await expect(
    page
      .getByRole('table', { name: 'leader leases' })
      .getByText('kube-scheduler'),
  ).toBeVisible();

  // The k3s cluster: nodes grouped by role, its own problems, kine behind etcd's checks.
  await chip('helix').click();
  await expect(page.getByText('Node group control-plane')).toBeVisible();
  await expect(page.getByText('Node group worker')).toBeVisible();
  await expect(page.getByText('Node group general')).toHaveCount(0);
  const problems = page.getByRole('table', { name: 'Problems' });
  await expect(problems.getByText(/cloudflared-/).first()).toBeVisible();
  await expect(problems.getByText(/release-notifier/)).toHaveCount(0);
  await expect(page.getByText('/readyz: ok')).toBeVisible();
  await expect(
    page.getByText(/checks passing: .*\betcd\b/).first(),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('cluster-health-helix.png'),
    fullPage: true,
  });

  execFileSync(sandbox, ['k8s', '--cluster', 'helix', 'stop-apiserver'], {
    stdio: 'ignore',
  });
  try {
    // Its panels keep their last figures, marked stale (the page refreshes every 15 s).
    await expect(chip('helix')).toHaveText(/^helix: degraded/, {
      timeout: 60_000,
    });
    await expect(page.getByText(/^helix is degraded/)).toBeVisible({
      timeout: 30_000,
    });
    await expect(
      page.getByText('Stale: the API server did not answer the last probe'),
    ).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText('Node group worker')).toBeVisible();
    await expect(problems.getByText(/cloudflared-/).first()).toBeVisible();
    await expect(page.getByText('v1.34.4')).toBeVisible();
    await page.screenshot({
      path: testInfo.outputPath('cluster-health-helix-stale.png'),
      fullPage: true,
    });

    // The other cluster: unchanged.
    await expect(chip('eks-data-platform')).toHaveText(
      /^eks-data-platform: ok/,
    );
    await chip('eks-data-platform').click();
    await expect(page.getByText('Node group general')).toBeVisible();
    await expect(page.getByText('/readyz: ok')).toBeVisible();
    await expect(
      page.getByText('Stale: the API server did not answer the last probe'),
    ).toHaveCount(0);
    await page.screenshot({
      path: testInfo.outputPath('cluster-health-eks-while-helix-down.png'),
      fullPage: true,
    });
  } finally {
    execFileSync(sandbox, ['k8s', '--cluster', 'helix', 'start-apiserver'], {
      stdio: 'ignore',
    });
  }
  await expect(chip('helix')).toHaveText(/^helix: ok/, { timeout: 90_000 });
});
