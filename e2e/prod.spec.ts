import { Browser, expect, Page, test } from '@playwright/test';

/*
 * The portal in production mode (`scripts/sandbox up prod`): two replicas behind the sandbox's
 * nginx, sign-in through the sandbox's OpenID Provider on its own login form (authorization
 * code with PKCE). Run by playwright.prod.config.ts against SANDBOX_PORTAL_URL, with
 * SANDBOX_OIDC_PASSWORD from `scripts/sandbox env`.
 */
const password = process.env.SANDBOX_OIDC_PASSWORD ?? '';

test.beforeAll(() => {
  if (!process.env.SANDBOX_PORTAL_URL || !password) {
    throw new Error(
      'SANDBOX_PORTAL_URL or SANDBOX_OIDC_PASSWORD is not set: run "scripts/sandbox up prod" and eval "$(scripts/sandbox env)"',
    );
  }
});

/** Opens the portal, chooses the identity provider and signs in on the IdP's form in its popup. */
async function signIn(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/');
  await expect(
    page.getByText("Sign in with the platform's identity provider"),
  ).toBeVisible();
  // Production offers no guest sign-in.
  await expect(page.getByRole('button', { name: 'Enter' })).toHaveCount(0);

  const [popup] = await Promise.all([
    page.waitForEvent('popup'),
    page.getByRole('button', { name: /sign in/i }).click(),
  ]);
  // The IdP's own login form, on the IdP's origin.
  await popup.waitForLoadState();
  expect(new URL(popup.url()).origin).toBe(
    process.env.SANDBOX_OIDC_ISSUER ?? 'http://127.0.0.1:57300',
  );
  await popup.getByLabel('Email').fill(email);
  await popup.getByLabel('Password').fill(password);
  await Promise.all([
    popup.waitForEvent('close', { timeout: 30_000 }),
    popup.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  return page;
}

test('a catalog user signs in on the IdP and the portal knows them by name', async ({
  browser,
}, testInfo) => {
  const page = await signIn(browser, 'bruno.costa@example.com');

  // Signed in: the portal's home page, then the settings with the user's identity.
  await expect(page.getByText('The data/ML platform')).toBeVisible();
  await page.goto('/settings');
  await expect(page.getByText('Bruno Costa').first()).toBeVisible();
  await expect(page.getByText('bruno.costa@example.com').first()).toBeVisible();
  // The Backstage identity is the catalog's User, found by the IdP's email.
  await expect(
    page.locator('a[href$="/catalog/default/user/bruno.costa"]').first(),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('prod-signed-in-settings.png'),
    fullPage: true,
  });
  await page.context().close();
});

test('someone the catalog does not have is refused with a readable message', async ({
  browser,
}, testInfo) => {
  const page = await signIn(browser, 'stranger@example.com');

  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Sign-in failed');
  await expect(alert).toContainText(
    'stranger@example.com is not a user of this portal',
  );
  await expect(alert).not.toContainText(/at .*\.js:\d+/); // no stack trace
  // Still on the sign-in page: nothing of the portal behind it.
  await expect(
    page.getByText("Sign in with the platform's identity provider"),
  ).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'sidebar nav' }),
  ).toHaveCount(0);
  await page.screenshot({
    path: testInfo.outputPath('prod-refused.png'),
    fullPage: true,
  });
  await page.context().close();
});
