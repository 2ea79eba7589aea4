import { expect, test } from '@playwright/test';
import { entityExists } from './portalApi';

test('a guest opens the web app component and sees its owner and relations', async ({
  page,
  request,
}, testInfo) => {
  // The first spec: the portal can answer before its catalog has read catalog-info.yaml (a CI
  // run on two busy cores saw the web app's row missing for over 30 s), and the catalog page
  // lists what was there when it opened. So the spec first waits for the entity it opens.
  test.setTimeout(240_000);
  await expect
    .poll(() => entityExists(request, 'component:default/webapp'), {
      timeout: 120_000,
      intervals: [1_000],
    })
    .toBe(true);
  await page.goto('/');

  // Guest sign-in (auth.providers.guest).
  await page.getByRole('button', { name: 'Enter' }).click();

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await nav.getByRole('link', { name: 'Catalog', exact: true }).click();

  // The catalog has loaded the platform from catalog-info.yaml.
  await expect(page.getByRole('link', { name: 'Web UI' })).toBeVisible();
  await page.getByRole('link', { name: 'Web UI' }).click();

  await expect(page).toHaveURL(/\/catalog\/default\/component\/webapp/);
  await expect(
    page.getByRole('heading', { name: 'Web UI', exact: false }).first(),
  ).toBeVisible();

  // About card: the owner and the system, as links to their pages.
  const about = page.locator('article, div').filter({
    has: page.getByRole('heading', { name: 'About' }),
  });
  await expect(
    about.getByRole('link', { name: 'Data engineering' }).first(),
  ).toHaveAttribute('href', /\/catalog\/default\/group\/data-engineering/);
  await expect(
    about.getByRole('link', { name: 'Data/ML platform' }).first(),
  ).toHaveAttribute('href', /\/catalog\/default\/system\/data-ml-platform/);

  // Relations: the APIs it provides and consumes, the databases it depends on.
  await expect(
    page.getByRole('link', { name: 'Web UI query API' }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'OpenAI-compatible inference API' }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'PostgreSQL embeddings (pgvector)' }),
  ).toBeVisible();

  await page.screenshot({
    path: testInfo.outputPath('webapp-entity-page.png'),
    fullPage: true,
  });
});

test('the home page welcomes users to the platform', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByText('The data/ML platform')).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Create' }).first(),
  ).toBeVisible();
});
