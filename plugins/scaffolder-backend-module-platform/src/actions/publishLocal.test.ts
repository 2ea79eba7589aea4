/*
 * platform:publish:local when the catalog rejects the entity: the task says the catalog's reason
 * as soon as the catalog reports it on the events service. No sandbox needed; the events service
 * is the real in-process one the catalog publishes to.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { DefaultEventsService } from '@backstage/plugin-events-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  CATALOG_ERRORS_TOPIC,
  CatalogProcessingErrors,
} from '../CatalogProcessingErrors';
import { createPublishLocalAction } from './publishLocal';

let base: string;
let workspace: string;

beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'platform-publish-'));
  workspace = path.join(base, 'ws');
  await fs.mkdir(workspace);
  await fs.writeFile(
    path.join(workspace, 'catalog-info.yaml'),
    'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: rejected\n  description:\n' +
      'spec: { type: service, lifecycle: experimental, owner: group:default/platform-team }\n',
  );
});

afterAll(() => fs.rm(base, { recursive: true, force: true }));

describe('platform:publish:local', () => {
  it("fails with the catalog's reason when the catalog rejects the entity", async () => {
    const events = DefaultEventsService.create({
      logger: mockServices.logger.mock(),
    }).forPlugin('scaffolder');
    const catalogErrors = await CatalogProcessingErrors.create(events);
    const action = createPublishLocalAction({
      directory: path.join(base, 'published'),
      catalog: catalogServiceMock({ entities: [] }),
      catalogErrors,
      waitForEntityMs: 30_000,
    });
    const started = Date.now();
    const run = action.handler(
      createMockActionContext({
        input: { name: 'rejected' },
        workspacePath: workspace,
      }) as any,
    );
    // What the catalog's processing engine publishes for an entity that fails its policies.
    setTimeout(() => {
      void events.publish({
        topic: CATALOG_ERRORS_TOPIC,
        eventPayload: {
          entity: 'component:default/rejected',
          location: `file:${path.join(
            base,
            'published/rejected/catalog-info.yaml',
          )}`,
          errors: [
            new Error(
              'Malformed envelope, /metadata/description must be string',
            ),
          ],
        },
      });
    }, 1500);
    await expect(run).rejects.toThrow(
      'the catalog rejected component:default/rejected: Malformed envelope, /metadata/description must be string',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    // It was published: the catalog read it from there.
    await expect(
      fs.stat(path.join(base, 'published/rejected/catalog-info.yaml')),
    ).resolves.toBeDefined();
  });

  it('ignores errors the catalog reported before this publish', async () => {
    const errors = new CatalogProcessingErrors();
    errors.record({
      entity: 'component:default/old',
      errors: [new Error('an old failure')],
    });
    expect(errors.since('component:default/old', 0)).toEqual([
      'an old failure',
    ]);
    expect(
      errors.since('component:default/old', Date.now() + 1000),
    ).toBeUndefined();
    expect(errors.since('Component:default/OLD', 0)).toEqual([
      'an old failure',
    ]);
  });
});
