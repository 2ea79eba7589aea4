import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { parseAllDocuments } from 'yaml';
import { CatalogProcessingErrors } from '../CatalogProcessingErrors';
import { PUBLISHED_MARKER } from '../published/constants';
import { PublishedEntitiesClient } from '../published/PublishedEntitiesClient';
import { DNS_1123_LABEL } from './kubernetesApply';
import { resolveInWorkspace } from './paths';

const WAIT_FOR_ENTITY_MS = 60_000;

export { PUBLISHED_MARKER };

/** The task that published `target`, or undefined when nothing is there. */
async function publishedBy(target: string): Promise<string | undefined> {
  try {
    await fs.stat(target);
  } catch {
    return undefined;
  }
  try {
    const marker = JSON.parse(
      await fs.readFile(path.join(target, PUBLISHED_MARKER), 'utf8'),
    );
    return String(marker.taskId);
  } catch {
    return 'another publisher';
  }
}

/**
 * Copies `source` to `target`, which must not exist: into a fresh sibling folder first,
 * then renamed, so that nothing is ever overwritten and a crash leaves no half folder.
 */
async function copyNew(source: string, target: string, taskId: string) {
  const staging = `${target}.staging-${randomBytes(4).toString('hex')}`;
  await fs.cp(source, staging, { recursive: true, errorOnExist: true });
  await fs.writeFile(
    path.join(staging, PUBLISHED_MARKER),
    `${JSON.stringify({ taskId, publishedAt: new Date().toISOString() })}\n`,
  );
  try {
    await fs.rename(staging, target);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw new InputError(
      `${target} already exists (${
        (error as NodeJS.ErrnoException).code
      }); nothing was overwritten. Choose another name`,
    );
  }
}

/**
 * platform:publish:local — where generated sources go when there is no GitHub (a laptop, the
 * sandbox, CI). The entities of the workspace's catalog-info.yaml go to the catalog module of
 * this package (catalogModulePlatformLocalPublish), which stores them in the catalog's database,
 * so every replica's catalog has them; the generated files are copied to
 * `<platformScaffolder.localPublishDirectory>/<name>` on the machine that ran the task. A name
 * (or an entity) that is already published, or a folder that already exists, is an error that
 * names it: nothing is deleted or overwritten. The action waits for the entity in the catalog
 * and outputs its ref; when the catalog rejects it (its processing errors, read from the events
 * service of this backend), the action fails with the catalog's reason.
 */
export function createPublishLocalAction(options: {
  directory: string;
  catalog: CatalogService;
  /** Hands the entities to the catalog module. */
  published: Pick<PublishedEntitiesClient, 'publish' | 'withdraw'>;
  /** The catalog's processing errors, to say why it rejected the entity. */
  catalogErrors?: CatalogProcessingErrors;
  /** Longest wait for the entity, in ms. Default 60 s. */
  waitForEntityMs?: number;
}) {
  const waitForEntityMs = options.waitForEntityMs ?? WAIT_FOR_ENTITY_MS;
  return createTemplateAction({
    id: 'platform:publish:local',
    description:
      'Publishes the entities of the workspace to the catalog (through the catalog module of this package) and its files to the local publish directory, never over an existing publish; waits for the entity in the catalog.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Publish locally and link to the new entity',
        example:
          'steps:\n  - id: publish\n    action: platform:publish:local\n    input:\n      name: ${{ parameters.name }}',
      },
    ],
    schema: {
      input: {
        name: z =>
          z.string().regex(DNS_1123_LABEL, 'a valid Kubernetes name').max(63),
        sourcePath: z =>
          z
            .string()
            .default('.')
            .describe('Sub-folder of the workspace to publish'),
      },
      output: {
        path: z => z.string(),
        entityRef: z => z.string(),
      },
    },
    async handler(ctx) {
      const source = await resolveInWorkspace(
        ctx.workspacePath,
        ctx.input.sourcePath ?? '.',
        'sourcePath',
      );
      const infoFile = path.join(source, 'catalog-info.yaml');
      let entities: Entity[];
      try {
        entities = parseAllDocuments(await fs.readFile(infoFile, 'utf8'))
          .map(doc => doc.toJS() as Entity | null)
          .filter((e): e is Entity => !!e);
      } catch (error) {
        throw new InputError(
          `sourcePath: no readable catalog-info.yaml (${
            (error as Error).message
          })`,
        );
      }
      const unnamed = entities.findIndex(
        e => typeof e?.kind !== 'string' || !e?.metadata?.name,
      );
      if (entities.length === 0 || unnamed >= 0) {
        throw new InputError(
          `sourcePath: catalog-info.yaml ${
            entities.length === 0
              ? 'holds no entity'
              : `document ${unnamed + 1} has no kind or metadata.name`
          }`,
        );
      }
      const entity = entities[0];
      const kind = String(entity?.kind ?? '').toLocaleLowerCase('en-US');
      const entityRef = `${kind}:${entity?.metadata?.namespace ?? 'default'}/${
        entity?.metadata?.name
      }`;
      const target = path.join(options.directory, ctx.input.name);
      ctx.output('path', target);
      ctx.output('entityRef', entityRef);
      if (ctx.isDryRun) {
        ctx.logger.info(
          `dry run: would publish to ${target} and register ${entityRef}`,
        );
        return;
      }
      const publishedAt = Date.now();
      const taskId = ctx.task.id;
      let copiedNow = false;
      await ctx.checkpoint({
        key: `platform.publish.local.${ctx.input.name}`,
        fn: async () => {
          // Refused before anything is stored when the folder is someone else's.
          const owner = await publishedBy(target);
          if (owner && owner !== taskId) {
            throw new InputError(
              `${target} already exists (published by ${
                owner === 'another publisher'
                  ? owner
                  : `scaffolder task ${owner}`
              }); nothing was overwritten. Choose another name`,
            );
          }
          // Same task again (resumed after a crash): the catalog module answers "already there".
          await options.published.publish({
            name: ctx.input.name,
            taskId,
            publishedBy: ctx.user?.ref,
            entities,
          });
          if (!owner) {
            await fs.mkdir(options.directory, { recursive: true });
            await copyNew(source, target, taskId);
          }
          copiedNow = true;
          return target;
        },
      });
      ctx.logger.info(
        `${
          copiedNow
            ? `published to ${target}`
            : `${target} was published before the task resumed (checkpoint); not copied again`
        }; waiting for ${entityRef} in the catalog`,
      );
      const credentials = await ctx.getInitiatorCredentials();
      const deadline = Date.now() + waitForEntityMs;
      while (
        !(await options.catalog.getEntityByRef(entityRef, { credentials }))
      ) {
        const rejected = options.catalogErrors?.since(entityRef, publishedAt);
        if (rejected) {
          // This task's own publish only: the name is free again for a fixed entity.
          await options.published.withdraw({ name: ctx.input.name, taskId });
          if ((await publishedBy(target)) === taskId) {
            await fs.rm(target, { recursive: true, force: true });
          }
          throw new InputError(
            `the catalog rejected ${entityRef}: ${rejected.join('; ')} ` +
              `(the publish of '${ctx.input.name}' was withdrawn; fix the catalog-info.yaml the template renders)`,
          );
        }
        if (Date.now() > deadline || ctx.signal?.aborted) {
          throw new Error(
            `${entityRef} did not appear in the catalog within ${
              waitForEntityMs / 1000
            } s, and the catalog reported no error for it; ` +
              'is the platform catalog module (catalogModulePlatformLocalPublish) installed?',
          );
        }
        await new Promise(r => setTimeout(r, 1000));
      }
      ctx.logger.info(`${entityRef} is in the catalog`);
    },
  });
}
