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
import { InputError } from '@backstage/errors';
import { PUBLISHED_MARKER, createPublishLocalAction } from './publishLocal';

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
    const withdrawn: unknown[] = [];
    const action = createPublishLocalAction({
      directory: path.join(base, 'published'),
      catalog: catalogServiceMock({ entities: [] }),
      catalogErrors,
      // The catalog module's side is in published/*.test.ts; here it accepts.
      published: {
        publish: async () => ({ created: true }),
        withdraw: async r => {
          withdrawn.push(r);
          return { withdrawn: true };
        },
      },
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
    await expect(run).rejects.toThrow(
      "(the publish of 'rejected' was withdrawn; fix the catalog-info.yaml the template renders)",
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    // Its own publish is withdrawn, so a fixed entity may take the name again.
    expect(withdrawn).toEqual([{ name: 'rejected', taskId: 'mock-task-id' }]);
    await expect(
      fs.stat(path.join(base, 'published/rejected')),
    ).rejects.toThrow();
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

  describe('never overwrites', () => {
    const published: unknown[] = [];
    const action = (
      publish: (r: unknown) => Promise<{ created: boolean }> = async r => {
        published.push(r);
        return { created: true };
      },
    ) =>
      createPublishLocalAction({
        directory: path.join(base, 'published'),
        catalog: catalogServiceMock({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: 'rejected' },
            },
          ],
        }),
        published: { publish, withdraw: async () => ({ withdrawn: false }) },
        waitForEntityMs: 5000,
      });
    const run = (name: string, publish?: Parameters<typeof action>[0]) =>
      action(publish).handler(
        createMockActionContext({
          input: { name },
          workspacePath: workspace,
        }) as any,
      );

    beforeEach(() => {
      published.length = 0;
    });

    it("refuses a folder another task published, and leaves it and the catalog's entities as they are", async () => {
      const target = path.join(base, 'published', 'taken');
      await fs.mkdir(target, { recursive: true });
      await fs.writeFile(path.join(target, 'README.md'), 'theirs');
      await fs.writeFile(
        path.join(target, PUBLISHED_MARKER),
        JSON.stringify({ taskId: 'task-of-someone-else' }),
      );
      await expect(run('taken')).rejects.toThrow(
        `${target} already exists (published by scaffolder task task-of-someone-else); nothing was overwritten. Choose another name`,
      );
      expect(await fs.readFile(path.join(target, 'README.md'), 'utf8')).toBe(
        'theirs',
      );
      await expect(
        fs.stat(path.join(target, 'catalog-info.yaml')),
      ).rejects.toThrow();
      expect(published).toEqual([]);
    });

    it('refuses a folder that was not published by a task at all', async () => {
      const target = path.join(base, 'published', 'handmade');
      await fs.mkdir(target, { recursive: true });
      await expect(run('handmade')).rejects.toThrow(
        `${target} already exists (published by another publisher); nothing was overwritten`,
      );
      expect(published).toEqual([]);
    });

    it('writes no folder when the catalog module refuses the publish', async () => {
      const refusal = new InputError(
        "'dup' is already published (component:default/rejected, by scaffolder task t0 at 2026-12-01T00:00:00.000Z); nothing was changed. Choose another name",
      );
      await expect(
        run('dup', async () => {
          throw refusal;
        }),
      ).rejects.toBe(refusal);
      await expect(
        fs.stat(path.join(base, 'published', 'dup')),
      ).rejects.toThrow();
    });

    it('publishes a new name, and the same task may run the step again (a resumed task)', async () => {
      await run('fresh');
      const target = path.join(base, 'published', 'fresh');
      const marker = JSON.parse(
        await fs.readFile(path.join(target, PUBLISHED_MARKER), 'utf8'),
      );
      expect(marker.taskId).toBe('mock-task-id');
      expect(published).toEqual([
        expect.objectContaining({
          name: 'fresh',
          taskId: 'mock-task-id',
          entities: [
            expect.objectContaining({
              metadata: expect.objectContaining({ name: 'rejected' }),
            }),
          ],
        }),
      ]);
      // The same task again: no error; the catalog module answers "already published".
      await run('fresh', async r => {
        published.push(r);
        return { created: false };
      });
      expect(published).toHaveLength(2);
      expect(
        (await fs.readdir(path.join(base, 'published'))).filter(n =>
          n.startsWith('fresh'),
        ),
      ).toEqual(['fresh']);
    });
  });
});
