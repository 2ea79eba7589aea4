import fs from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { parse } from 'yaml';
import { CatalogProcessingErrors } from '../CatalogProcessingErrors';
import { DNS_1123_LABEL } from './kubernetesApply';
import { resolveInWorkspace } from './paths';

const WAIT_FOR_ENTITY_MS = 60_000;

/**
 * platform:publish:local — where generated sources go when there is no GitHub (a laptop, the
 * sandbox, CI): copies the workspace to `<platformScaffolder.localPublishDirectory>/<name>`.
 * The catalog module of this package (LocalPublishEntityProvider) reads that directory, so the
 * new entity appears in the catalog; the action waits for it and outputs its ref. When the
 * catalog rejects the entity (its processing errors, read from the events service), the action
 * fails with the catalog's reason.
 */
export function createPublishLocalAction(options: {
  directory: string;
  catalog: CatalogService;
  /** The catalog's processing errors, to say why it rejected the entity. */
  catalogErrors?: CatalogProcessingErrors;
  /** Longest wait for the entity, in ms. Default 60 s. */
  waitForEntityMs?: number;
}) {
  const waitForEntityMs = options.waitForEntityMs ?? WAIT_FOR_ENTITY_MS;
  return createTemplateAction({
    id: 'platform:publish:local',
    description:
      'Publishes the workspace to the local publish directory and waits for its catalog entity.',
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
      let entity: any;
      try {
        entity = parse(await fs.readFile(infoFile, 'utf8'));
      } catch (error) {
        throw new InputError(
          `sourcePath: no readable catalog-info.yaml (${
            (error as Error).message
          })`,
        );
      }
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
      let copiedNow = false;
      await ctx.checkpoint({
        key: `platform.publish.local.${ctx.input.name}`,
        fn: async () => {
          await fs.mkdir(options.directory, { recursive: true });
          await fs.rm(target, { recursive: true, force: true });
          await fs.cp(source, target, { recursive: true });
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
          throw new InputError(
            `the catalog rejected ${entityRef}: ${rejected.join('; ')} ` +
              `(published to ${target}; fix the catalog-info.yaml the template renders)`,
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
