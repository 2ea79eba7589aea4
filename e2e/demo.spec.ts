import path from 'node:path';
import { expect, Page, test } from '@playwright/test';

/*
 * The demo (`./scripts/start.sh --demo`): the portal on the sandbox's app-config.local.yaml
 * (playwright.config.ts merges it when the sandbox is up). Every platform page shows live
 * figures from the sandbox's servers, not an empty state, and the bar at the top says the
 * portal runs on the sandbox. One full-page screenshot per page: test-results/e2e/demo-*.png.
 */
const SHOTS = path.resolve(__dirname, '..', 'test-results', 'e2e');

async function shot(page: Page, name: string) {
  await page.screenshot({
    path: path.join(SHOTS, `demo-${name}.png`),
    fullPage: true,
  });
}

async function expectBanner(page: Page) {
  await expect(page.getByRole('status', { name: 'Sandbox banner' })).toHaveText(
    'Demo: this portal runs on the local sandbox (scripts/sandbox status)',
  );
}

test('the demo: every platform page shows the sandbox live, under the sandbox banner', async ({
  page,
}) => {
  test.setTimeout(360_000);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto('/cluster-health');
  await page.getByRole('button', { name: 'Enter' }).click();
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });

  await test.step('Cluster health: node groups with their nodes', async () => {
    await expectBanner(page);
    // The bar does not cover the sidebar's mark.
    await expect(nav.getByRole('link', { name: 'Home' }).first()).toBeVisible();
    await expect(page.getByText('Node group general')).toBeVisible({
      timeout: 60_000,
    });
    await expect(page.getByText('Node group gpu')).toBeVisible();
    // "3 nodes: 2 Ready, 1 NotReady": counted from the API server's nodes.
    await expect(
      page.getByText(/^[1-9]\d* nodes: [1-9]\d* Ready/).first(),
    ).toBeVisible();
    await expect(
      page.getByText(/^CPU: .* requested of .* allocatable on [1-9]\d* Ready/),
    ).toHaveCount(2);
    await shot(page, 'cluster-health');
  });

  await test.step('Kafka lag: the workload groups with lag figures', async () => {
    await nav.getByRole('link', { name: 'Kafka lag' }).click();
    await expect(page).toHaveURL(/\/kafka-lag/);
    await expectBanner(page);
    // Sampled within kafkaLag.sampleIntervalSeconds of the backend's start.
    await expect(page.getByText(/^Consumer groups \([1-9]\d*\)$/)).toBeVisible({
      timeout: 60_000,
    });
    // Found through the filter: the sandbox's Kafka may hold more groups than one page.
    await page.getByPlaceholder('Filter').fill('webapp-consumer');
    const row = page.getByRole('row').filter({
      has: page.getByRole('link', { name: 'webapp-consumer', exact: true }),
    });
    await expect(row).toHaveCount(1);
    // Cluster, Group, State, Members, Total lag, Lag (time): a count, not "—".
    const cells = row.getByRole('cell');
    await expect(cells.nth(0)).toHaveText('platform-kafka');
    await expect(cells.nth(4)).toHaveText(/^\d[\d,]*$/);
    await page.getByPlaceholder('Filter').fill('llm-ingestors');
    await expect(
      page.getByRole('link', { name: 'llm-ingestors', exact: true }),
    ).toBeVisible();
    await page.getByPlaceholder('Filter').clear();
    await shot(page, 'kafka-lag');
  });

  await test.step('GPU inference: GPU capacity from the cluster and Prometheus', async () => {
    await nav.getByRole('link', { name: 'GPU inference' }).click();
    await expect(page).toHaveURL(/\/gpu-inference/);
    await expectBanner(page);
    const capacity = page.getByRole('table', { name: 'GPU capacity' });
    const a100 = capacity
      .getByRole('row')
      .filter({ hasText: 'NVIDIA-A100-SXM4-40GB' })
      .first();
    await expect(a100).toBeVisible({ timeout: 60_000 });
    // Nodes, then allocated / allocatable: GPUs that exist, not zeros.
    const cells = a100.getByRole('cell');
    await expect(cells.nth(2)).toHaveText(/^[1-9]\d*$/);
    await expect(cells.nth(3)).toHaveText(/^\d+ \/ [1-9]\d*$/);
    // Utilisation from the DCGM exporter through Prometheus.
    await expect(page.getByText(/GPU-hours wasted/).first()).toBeVisible({
      timeout: 60_000,
    });
    await shot(page, 'gpu-inference');
  });

  await test.step('Ask the platform: the model server answers', async () => {
    await nav.getByRole('link', { name: 'Ask the platform' }).click();
    await expect(page).toHaveURL(/\/rag-chat/);
    await expectBanner(page);
    const status = page.getByTestId('chat-status');
    // Wait for the index of the repository's catalog and docs, then ask.
    await expect(async () => {
      await page.reload();
      const line = await status
        .getByText(/Indexed \d+ sources/)
        .textContent({ timeout: 5_000 });
      expect(
        Number(/Indexed (\d+) sources/.exec(line ?? '')?.[1]),
      ).toBeGreaterThan(25);
      expect(line).not.toContain('indexing');
    }).toPass({ timeout: 200_000, intervals: [5_000] });
    await expect(status).toContainText('semantic and full-text search');
    await expect(status).toContainText('answers by platform-chat');
    await page
      .getByLabel('Ask a question')
      .fill('How many brokers does the Kafka cluster have?');
    await page.getByRole('button', { name: 'Ask' }).click();
    const answer = page.getByTestId('answer');
    // Both clusters' Kafka have three brokers (the EKS one, and helix's Strimzi one).
    await expect(answer).toContainText(/three (kafka )?brokers/i, {
      timeout: 60_000,
    });
    await expect(
      answer.getByRole('link', { name: /^Source \d+:/ }).first(),
    ).toBeVisible();
    await shot(page, 'rag-chat');
  });
});
