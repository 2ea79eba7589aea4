import { expect, test } from '@playwright/test';

/*
 * The Kafka lag plugin against the sandbox's real brokers and workload
 * (e2e/app-config.e2e.yaml points kafka.clusters at them).
 */
test('the Kafka lag page lists the workload groups, and a component shows its group', async ({
  page,
}, testInfo) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await nav.getByRole('link', { name: 'Kafka lag' }).click();
  await expect(page).toHaveURL(/\/kafka-lag/);

  // Each group found through the table's filter, as a user looks for theirs: the sandbox's
  // Kafka may hold more groups than the table's first page shows (a bench's, another test's).
  const filter = page.getByPlaceholder('Filter');
  const group = (name: string) => page.getByRole('link', { name, exact: true });
  // The first sample arrives within kafkaLag.sampleIntervalSeconds.
  await expect(page.getByText(/^Consumer groups \([1-9]\d*\)$/)).toBeVisible({
    timeout: 60_000,
  });
  for (const name of ['webapp-consumer', 'release-notifier', 'llm-ingestors']) {
    await filter.fill(name);
    await expect(group(name)).toBeVisible();
  }
  await page.screenshot({
    path: testInfo.outputPath('kafka-lag-page.png'),
    fullPage: true,
  });

  // The group detail: one row per partition it reads, the 12 of raw-events and the 3 of
  // github-releases (whose notes it embeds).
  await group('llm-ingestors').click();
  await expect(page).toHaveURL(
    /group=platform-kafka%2Fllm-ingestors|group=platform-kafka\/llm-ingestors/,
  );
  await expect(page.getByText('Partitions (15)')).toBeVisible();
  // Why it is not scaling, from the objects the real KEDA operator keeps: its ScaledObject is
  // active, and the HPA KEDA made cannot read the lag metric (the sandbox runs no KEDA
  // metrics server: sandbox/README.md, "KEDA").
  await expect(page.getByText('Autoscaling (KEDA)')).toBeVisible();
  await expect(page.getByText('ScaledObject ml/llm-ingestors')).toBeVisible();
  await expect(page.getByText('HPA has no metric')).toBeVisible();
  await expect(page.getByText(/cannot read KEDA's lag metric/)).toBeVisible();
  await expect(page.getByText('Active: True')).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('kafka-lag-group.png'),
    fullPage: true,
  });

  // The consumer's component page: the card's autoscaling chip says the same.
  await page.goto('/catalog/default/component/llm-ingestors');
  await expect(
    page
      .getByRole('table', { name: 'consumer groups' })
      .getByText('HPA has no metric'),
  ).toBeVisible();

  // The entity card on the consumer's component page.
  await page.goto('/catalog/default/component/webapp-consumer');
  await expect(
    page.getByText('Kafka consumer lag', { exact: true }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'platform-kafka/webapp-consumer' }),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('webapp-consumer-entity.png'),
    fullPage: true,
  });
});
