import { expect, test } from '@playwright/test';

/*
 * GPU inference against the sandbox's API server, Prometheus, GPU exporter and model server
 * (the backend reads the sandbox's app-config.local.yaml).
 */
test('the GPU page shows capacity and the idle GPUs with their owner; a model server shows its figures', async ({
  page,
}, testInfo) => {
  await page.goto('/gpu-inference');
  await page.getByRole('button', { name: 'Enter' }).click();

  await expect(page.getByText('GPU capacity')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText('NVIDIA-A100-SXM4-40GB').first()).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByText(/waits for 4 GPUs/)).toBeVisible();
  await expect(page.getByText(/GPU-hours wasted/).first()).toBeVisible();
  // Every GPU of the sandbox cluster is allocated: a new 1-GPU pod would wait.
  await page.getByLabel('A new pod asking for N GPUs').fill('1');
  await expect(page.getByText(/No: no node has 1 GPU free now/)).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('gpu-inference-page.png'),
    fullPage: true,
  });

  await page.goto('/catalog/default/component/llm-chat-server');
  await expect(page.getByText('Model server', { exact: true })).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByText(/Requests waiting, last 1h/)).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByText('TTFT p50 / p95')).toBeVisible({
    timeout: 30_000,
  });
  await page.screenshot({
    path: testInfo.outputPath('model-server-card.png'),
    fullPage: true,
  });
});
