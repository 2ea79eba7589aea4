/*
 * The chat's TechDocs source against the real TechDocs backend and the real generator:
 * the repository's own platform-portal entity (catalog-info.yaml, backstage.io/techdocs-ref
 * dir:.), its mkdocs.yml and docs/, built by mkdocs-techdocs-core (scripts/lib.sh
 * ensure_techdocs puts it on PATH) into a local publisher folder, read back through the
 * backend's static route and indexed per section. No sandbox needed: the embedded store,
 * the in-process embeddings when their files are there (full text otherwise), extractive
 * answers.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ChatMessage,
  Passage,
  RagChatStatus,
} from '@internal/plugin-rag-chat-common';
import techdocsPlugin from '@backstage/plugin-techdocs-backend';
import { parseAllDocuments } from 'yaml';
import { ragChatPlugin } from './plugin';
import { askChat, waitForIndexRun } from './__testUtils__/fixtures';

jest.setTimeout(240_000);

const REPO = path.resolve(__dirname, '../../..');
const PORTAL = 'component:default/platform-portal';
const ALICE = 'user:default/alice';
/** May not read the platform-portal entity. */
const MALLORY = 'user:default/mallory';

/** The entity as the catalog has it after reading the repository's catalog-info.yaml. */
function portalEntity(): Entity {
  const file = path.join(REPO, 'catalog-info.yaml');
  const entity = parseAllDocuments(readFileSync(file, 'utf8'))
    .map(d => d.toJSON() as Entity)
    .find(e => e.kind === 'Component' && e.metadata.name === 'platform-portal');
  if (!entity) throw new Error(`no platform-portal Component in ${file}`);
  entity.metadata.namespace = 'default';
  entity.metadata.uid = 'platform-portal-uid';
  entity.metadata.annotations = {
    ...entity.metadata.annotations,
    'backstage.io/managed-by-location': `file:${file}`,
    'backstage.io/managed-by-origin-location': `file:${file}`,
  };
  return entity;
}

function catalogFor(entities: Entity[]) {
  const visible = (options: unknown) => {
    const { principal } = (options as { credentials: BackstageCredentials })
      .credentials as BackstageCredentials<{ userEntityRef?: string }>;
    return principal.userEntityRef === MALLORY ? [] : entities;
  };
  const matches = (e: Entity, filter: unknown) => {
    const key = 'metadata.annotations.backstage.io/techdocs-ref';
    const wanted = filter && (filter as Record<string, unknown>)[key];
    return !wanted || !!e.metadata.annotations?.['backstage.io/techdocs-ref'];
  };
  return catalogServiceMock.mock({
    getEntities: async (req, options) => ({
      items: visible(options).filter(e =>
        matches(e, (req as { filter?: unknown })?.filter),
      ),
    }),
    // TechDocs asks with a lower-cased { kind, namespace, name }.
    getEntityByRef: async (ref, options) =>
      visible(options).find(
        e =>
          stringifyEntityRef(e).toLocaleLowerCase('en-US') ===
          (typeof ref === 'string'
            ? ref
            : stringifyEntityRef(ref)
          ).toLocaleLowerCase('en-US'),
      ),
    getEntitiesByRefs: async ({ entityRefs }, options) => ({
      items: entityRefs.map(ref =>
        visible(options).find(e => stringifyEntityRef(e) === ref),
      ),
    }),
  });
}

const cited = (message: ChatMessage): Passage[] =>
  message.citations.map(n => message.passages.find(p => p.n === n)!);

describe('rag-chat: the TechDocs source', () => {
  const publishDirectory = mkdtempSync(path.join(os.tmpdir(), 'techdocs-'));
  const mkdocsYml = readFileSync(path.join(REPO, 'mkdocs.yml'), 'utf8');
  let server: any;
  let status: RagChatStatus;

  beforeAll(async () => {
    // The generator runs `mkdocs` from PATH: say how to get it rather than fail obscurely.
    try {
      execFileSync('mkdocs', ['--version']);
    } catch {
      throw new Error(
        'mkdocs is not on PATH: run `. scripts/lib.sh && ensure_tools && ensure_techdocs` first (scripts/test.sh does)',
      );
    }
    ({ server } = await startTestBackend({
      features: [
        ragChatPlugin,
        techdocsPlugin,
        catalogFor([portalEntity()]).factory,
        mockServices.scheduler.factory({
          includeInitialDelayedTasksOnStartup: true,
        }),
        mockServices.rootConfig.factory({
          data: {
            techdocs: {
              builder: 'local',
              generator: { runIn: 'local' },
              publisher: { type: 'local', local: { publishDirectory } },
            },
            ragChat: { sources: { catalog: { enabled: false } } },
          },
        }),
      ],
    }));
    status = await waitForIndexRun(server, ALICE, 120);
  });

  afterAll(() => rmSync(publishDirectory, { recursive: true, force: true }));

  it('builds the handbook through the TechDocs backend and indexes one source per page', () => {
    expect(status.index.lastRunError).toBeUndefined();
    const site = path.join(
      publishDirectory,
      'default/component/platform-portal',
    );
    expect(existsSync(path.join(site, 'search/search_index.json'))).toBe(true);
    expect(readdirSync(path.join(site, 'runbooks')).sort()).toEqual([
      'consumer-lag',
      'gpu-model-servers',
    ]);
    // Home, platform overview, portal, two runbooks.
    expect(status.index.sources).toEqual([
      expect.objectContaining({ kind: 'techdocs', sources: 5 }),
    ]);
  });

  it('leaves mkdocs.yml as it is (the generator rewrites the file it builds from)', () => {
    expect(readFileSync(path.join(REPO, 'mkdocs.yml'), 'utf8')).toBe(mkdocsYml);
  });

  it('cites a section of the docs with a link to it in the TechDocs reader', async () => {
    const message = await askChat(
      server,
      ALICE,
      'When should I act on a consumer lag WARNING, and when is it normal after a burst?',
    );
    const passage = cited(message).find(p => p.kind === 'techdocs');
    expect(passage).toMatchObject({
      sourceId: `techdocs:${PORTAL}#runbooks/consumer-lag/`,
      // The page's title in mkdocs.yml's nav.
      title: 'Consumer lag (Platform portal docs)',
      heading: 'Check the trend first',
      url: '/docs/default/component/platform-portal/runbooks/consumer-lag/#check-the-trend-first',
      entityRef: PORTAL,
    });
    expect(passage!.text).toMatch(/more than ten minutes/);
  });

  it('leaves out what mkdocs.yml excludes: the restricted break-glass runbook', async () => {
    const message = await askChat(
      server,
      ALICE,
      'How do I assume the EKS break-glass role?',
    );
    expect(
      message.passages.filter(p => /break-glass/i.test(p.sourceId)),
    ).toEqual([]);
    expect(
      message.passages.filter(p => /assume the role/i.test(p.heading ?? '')),
    ).toEqual([]);
  });

  it("gives no passage of the docs to a user who may not read the docs' entity", async () => {
    const question =
      'When should I act on a consumer lag WARNING, and when is it normal after a burst?';
    const allowed = await askChat(server, ALICE, question);
    expect(allowed.passages.some(p => p.kind === 'techdocs')).toBe(true);
    const denied = await askChat(server, MALLORY, question);
    expect(denied.passages).toEqual([]);
    expect(denied.mode).toBe('nothing-found');
  });
});
