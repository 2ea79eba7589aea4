import { expect, Locator, test } from '@playwright/test';

/*
 * Cluster health against the sandbox's real API server (the backend reads the sandbox's
 * app-config.local.yaml): the node groups, the NotReady node, fluent-bit's gap on the GPU
 * nodes, a crash-looping pod linked to its component, recent warning events, the firing
 * alerts of the cluster's Alertmanager, and a component's stalled rollout. At 1280 and 1920 px the problem kinds and entity refs stay
 * readable (they used to wrap letter by letter).
 */

/** How many lines the text of an element is laid out on. */
async function lines(locator: Locator): Promise<number> {
  return locator.evaluate(el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = [...range.getClientRects()]
      .filter(r => r.width > 0)
      .map(r => Math.round(r.top));
    return new Set(tops).size;
  });
}

for (const width of [1280, 1920]) {
  test(`the Cluster health page explains the cluster at ${width} px`, async ({
    page,
  }, testInfo) => {
    await page.setViewportSize({ width, height: 1000 });
    await page.goto('/cluster-health');
    await page.getByRole('button', { name: 'Enter' }).click();

    // The sidebar carries the portal's name (app.title), not Backstage's word mark.
    const logo = page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Home' })
      .first();
    await expect(logo).toContainText('Platform portal');
    const name = logo.getByText('Platform portal');
    // Whole, not cut to "P…" by the closed sidebar's width.
    expect(await name.evaluate(el => el.scrollWidth <= el.clientWidth)).toBe(
      true,
    );

    await expect(page.getByText('Node group general')).toBeVisible({
      timeout: 60_000,
    });
    await expect(page.getByText('Node group gpu')).toBeVisible();
    await expect(
      page.getByText(/ip-10-0-3-47\.eu-west-1\.compute\.internal is NotReady/),
    ).toBeVisible();
    // The general group's allocatable counts its two Ready nodes only, and says so.
    await expect(
      page.getByText(
        /^CPU: .* requested of 7\.84 allocatable on 2 Ready nodes$/,
      ),
    ).toBeVisible();
    await expect(
      page
        .getByText(
          /does not tolerate the taint nvidia\.com\/gpu=present:NoSchedule/,
        )
        .first(),
    ).toBeVisible();

    const problems = page.getByRole('table', { name: 'Problems' });
    const notifier = problems
      .getByRole('link', { name: 'release-notifier', exact: true })
      .first();
    await expect(notifier).toBeVisible();
    await expect(notifier).toHaveAttribute(
      'title',
      'component:default/release-notifier',
    );
    expect(await lines(notifier)).toBe(1);
    const kind = problems
      .getByRole('cell', { name: 'CrashLoopBackOff', exact: true })
      .first();
    expect(await lines(kind)).toBe(1);

    const events = page.getByRole('table', { name: 'Recent warning events' });
    await expect(events.getByText(/BackOff/).first()).toBeVisible();

    // The cluster's Alertmanager: the XID error that the GPU exporter reports fires from the
    // start (the platform's rules, evaluated by the sandbox's Prometheus).
    const alerts = page.getByRole('table', {
      name: 'alerts of eks-data-platform',
    });
    await expect(alerts.getByText('GpuXidError')).toBeVisible({
      timeout: 60_000,
    });

    await page.screenshot({
      path: testInfo.outputPath(`cluster-health-page-${width}.png`),
      fullPage: true,
    });
  });
}

test('a component shows its workload health', async ({ page }, testInfo) => {
  // Right after the backend starts, the catalog may not have read catalog/ yet.
  await expect(async () => {
    await page.goto('/catalog/default/component/webapp-consumer');
    await page.getByRole('button', { name: 'Enter' }).click();
    await expect(page.getByText('Workload health')).toBeVisible({
      timeout: 10_000,
    });
  }).toPass({ timeout: 120_000 });
  await expect(page.getByText(/ImagePullBackOff/).first()).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('workload-health-card.png'),
    fullPage: true,
  });
});
