import { expect, test } from '@playwright/test';

/*
 * Cluster health against the sandbox's real API server (the backend reads the sandbox's
 * app-config.local.yaml): the node groups, the NotReady node, fluent-bit's gap on the GPU
 * nodes, a crash-looping pod linked to its component, and a component's stalled rollout.
 */
test('the Cluster health page explains the cluster, and a component shows its workload health', async ({
  page,
}, testInfo) => {
  await page.goto('/cluster-health');
  await page.getByRole('button', { name: 'Enter' }).click();

  await expect(page.getByText('Node group general')).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByText('Node group gpu')).toBeVisible();
  await expect(
    page.getByText(/ip-10-0-3-47\.eu-west-1\.compute\.internal is NotReady/),
  ).toBeVisible();
  await expect(
    page
      .getByText(
        /does not tolerate the taint nvidia\.com\/gpu=present:NoSchedule/,
      )
      .first(),
  ).toBeVisible();
  const notifier = page
    .getByRole('link', { name: 'component:default/release-notifier' })
    .first();
  await expect(notifier).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('cluster-health-page.png'),
    fullPage: true,
  });

  await page.goto('/catalog/default/component/webapp-consumer');
  await expect(page.getByText('Workload health')).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByText(/ImagePullBackOff/).first()).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('workload-health-card.png'),
    fullPage: true,
  });
});
