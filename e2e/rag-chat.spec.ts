import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Page, expect, test } from '@playwright/test';

/*
 * The RAG chat in Chromium against a backend of its own (port 7017) whose chat
 * and embeddings are the sandbox model server (scripts/sandbox up model), with
 * the embedded PGlite store indexing this repository's catalog and docs. Needs
 * the built frontend (yarn workspace app build), like the other specs.
 */
const PORT = Number(process.env.RAG_CHAT_E2E_PORT ?? 7017);
const BASE = `http://localhost:${PORT}`;
const ROOT = path.resolve(__dirname, '..');

let backend: ChildProcess | undefined;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const model = process.env.SANDBOX_MODEL_URL;
  if (!model) {
    throw new Error(
      'SANDBOX_MODEL_URL is not set: run "scripts/sandbox up model" and eval "$(scripts/sandbox env)"',
    );
  }
  const dir = path.join(ROOT, 'test-results', 'rag-chat-e2e');
  mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'app-config.rag-chat.yaml');
  const log = path.join(dir, 'backend.log');
  writeFileSync(
    config,
    JSON.stringify({
      app: { baseUrl: BASE },
      backend: { baseUrl: BASE, listen: { port: PORT } },
      ragChat: {
        chat: { baseUrl: model, model: 'platform-chat' },
        embeddings: {
          baseUrl: model,
          model: 'all-MiniLM-L6-v2',
          dimensions: 384,
        },
        // A fresh store each run: every run indexes from scratch.
        store: { dataDir: path.join(dir, `pglite-${Date.now()}`) },
      },
    }),
  );
  backend = spawn(
    'yarn',
    [
      'workspace',
      'backend',
      'start',
      '--config',
      '../../app-config.yaml',
      '--config',
      '../../e2e/app-config.e2e.yaml',
      '--config',
      config,
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'ignore', openSync(log, 'w')],
    },
  );
  let exited: number | null = null;
  backend.on('exit', code => (exited = code));
  const failure = (what: string) =>
    new Error(
      `the backend on ${BASE} ${what}; its log (${log}) ends with:\n${readFileSync(
        log,
        'utf8',
      ).slice(-3000)}`,
    );
  for (let i = 0; i < 200; i++) {
    if (exited !== null) throw failure(`exited with ${exited}`);
    try {
      const res = await fetch(`${BASE}/.backstage/health/v1/readiness`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw failure('did not become ready');
});

test.afterAll(async () => {
  if (backend?.pid) {
    try {
      process.kill(-backend.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

/**
 * Signs in as guest and waits until the sidebar is there (a page.goto before that lands on
 * the sign-in page again); returns the sidebar's link to the chat.
 */
async function signIn(page: Page) {
  await page.goto(`${BASE}/`);
  await page.getByRole('button', { name: 'Enter' }).click();
  const chat = page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Ask the platform' });
  await expect(chat).toBeVisible();
  return chat;
}

/**
 * Index runs repeat while the catalog fills up after start; waits on the chat page until
 * the repository's catalog, docs and TechDocs are in and no run is going.
 */
async function waitForIndex(page: Page) {
  const status = page.getByTestId('chat-status');
  await expect(async () => {
    await page.reload();
    const line = await status.getByText(/Indexed \d+ sources/).textContent({
      timeout: 5_000,
    });
    expect(
      Number(/Indexed (\d+) sources/.exec(line ?? '')?.[1]),
    ).toBeGreaterThan(25);
    expect(line).not.toContain('indexing');
  }).toPass({ timeout: 150_000, intervals: [5_000] });
  await expect(status).toContainText('answers by platform-chat');
}

test('asks the platform: a streamed answer with linked citations, and the entity card', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  await (await signIn(page)).click();
  await expect(page).toHaveURL(/\/rag-chat/);

  await waitForIndex(page);

  await page
    .getByLabel('Ask a question')
    .fill('How many brokers does the Kafka cluster have?');
  await page.getByRole('button', { name: 'Ask' }).click();

  const answer = page.getByTestId('answer');
  // Both clusters' Kafka have three brokers (the EKS one, and helix's Strimzi one); the
  // manifest says "three nodes that are both controller and broker".
  await expect(answer).toContainText(/three (kafka )?(brokers|nodes)/i, {
    timeout: 60_000,
  });
  const citation = answer.getByRole('link', { name: /^Source \d+:/ }).first();
  await expect(citation).toBeVisible();
  await expect(page.getByRole('list', { name: 'Sources' })).toBeVisible();
  await expect(page.getByText('Was this helpful?')).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('rag-chat-answer.png'),
    fullPage: true,
  });

  // The conversation is in the history; feedback is taken.
  await expect(
    page
      .getByRole('list', { name: 'Conversations' })
      .getByText('How many brokers does the Kafka cluster have?'),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Helpful', exact: true }).click();
  await expect(page.getByLabel('Comment (optional)')).toBeVisible();

  // A citation opens its source: an indexed doc in the chat's source view, a catalog
  // entity on its own page (the Kafka clusters' entities often rank first for this question).
  const href = (await citation.getAttribute('href')) ?? '';
  await citation.click();
  if (href.includes('/rag-chat/sources/')) {
    await expect(
      page.getByRole('link', { name: /Back to the chat/ }),
    ).toBeVisible();
  } else {
    expect(href).toMatch(/\/catalog\/default\/[a-z]+\/[a-z0-9-]+/);
    await expect(page.getByText('Ask about this entity')).toBeVisible();
    expect(new URL(page.url()).pathname).toBe(
      new URL(href, page.url()).pathname,
    );
  }
  await page.screenshot({
    path: testInfo.outputPath('rag-chat-source.png'),
    fullPage: true,
  });

  // In context: the entity card on a component's page.
  await page.goto(`${BASE}/catalog/default/component/llm-ingestors`);
  await expect(page.getByText('Ask about this entity')).toBeVisible();
  await page
    .getByLabel('Ask a question')
    .fill('Which team owns it and where does it write embeddings?');
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(page.getByTestId('answer')).toContainText(/\[\d\]/, {
    timeout: 60_000,
  });
  await page.screenshot({
    path: testInfo.outputPath('rag-chat-entity.png'),
    fullPage: true,
  });
});

test("the platform handbook: platform-portal's TechDocs render, and the chat cites a section of them", async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  await signIn(page);

  // The entity's TechDocs tab: built by the local generator (mkdocs-techdocs-core) on first view.
  await page.goto(`${BASE}/catalog/default/component/platform-portal`);
  await page
    .getByText('TechDocs', { exact: true })
    .first()
    .click({ timeout: 60_000 });
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/platform-portal\/docs/,
  );
  await expect(
    page.getByRole('heading', { name: 'Platform docs' }),
  ).toBeVisible({ timeout: 120_000 });
  // A page of the site by its address (the nav keeps the Runbooks section folded).
  await page.goto(
    `${BASE}/catalog/default/component/platform-portal/docs/runbooks/consumer-lag/`,
  );
  await expect(
    page.getByRole('heading', { name: 'Check the trend first' }),
  ).toBeVisible({ timeout: 30_000 });
  // Every visit of local docs rebuilds them (no etag to compare): the reader says so until done.
  await expect(page.getByText(/is being prepared/)).toBeHidden({
    timeout: 120_000,
  });
  const refresh = page.getByRole('button', { name: 'Refresh' });
  if (await refresh.isVisible()) await refresh.click();
  await expect(page.getByRole('progressbar')).toHaveCount(0, {
    timeout: 60_000,
  });
  await expect(
    page.getByRole('heading', { name: 'Check the trend first' }),
  ).toBeVisible({ timeout: 30_000 });
  await page.screenshot({
    path: testInfo.outputPath('techdocs-runbook.png'),
    fullPage: true,
  });

  // The chat reads the same docs built, and links a passage to its section in the reader.
  await page.goto(`${BASE}/rag-chat`);
  await waitForIndex(page);
  await page
    .getByLabel('Ask a question')
    .fill(
      'When should I act on a consumer lag WARNING, and when is it normal after a burst?',
    );
  await page.getByRole('button', { name: 'Ask' }).click();
  const section = page
    .getByRole('list', { name: 'Sources' })
    .locator(
      'a[href*="/docs/default/component/platform-portal/runbooks/consumer-lag/#check-the-trend-first"]',
    )
    .first();
  await expect(section).toBeVisible({ timeout: 60_000 });
  await page.screenshot({
    path: testInfo.outputPath('rag-chat-techdocs-citation.png'),
    fullPage: true,
  });
  await section.click();
  await expect(page).toHaveURL(
    /\/docs\/default\/component\/platform-portal\/runbooks\/consumer-lag\//,
  );
  await expect(
    page.getByRole('heading', { name: 'Check the trend first' }),
  ).toBeVisible({ timeout: 60_000 });
});
