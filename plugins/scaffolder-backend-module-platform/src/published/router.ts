import { HttpAuthService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { DNS_1123_LABEL } from '../actions/kubernetesApply';
import { PUBLISHED_ENTITIES_PATH } from './constants';
import { PublishedEntityProvider } from './PublishedEntityProvider';
import { PublishedEntityStore } from './PublishedEntityStore';

function parseBody(body: any): {
  name: string;
  taskId: string;
  publishedBy?: string;
  entities: Entity[];
} {
  if (typeof body?.name !== 'string' || !DNS_1123_LABEL.test(body.name)) {
    throw new InputError('name must be a valid Kubernetes name');
  }
  if (typeof body.taskId !== 'string' || !body.taskId) {
    throw new InputError('taskId must be the scaffolder task id');
  }
  if (
    !Array.isArray(body.entities) ||
    body.entities.length === 0 ||
    body.entities.some(
      (e: any) =>
        typeof e?.kind !== 'string' || typeof e?.metadata?.name !== 'string',
    )
  ) {
    throw new InputError(
      'entities must be a non-empty list of entities with kind and metadata.name',
    );
  }
  return {
    name: body.name,
    taskId: body.taskId,
    publishedBy:
      typeof body.publishedBy === 'string' ? body.publishedBy : undefined,
    entities: body.entities,
  };
}

/**
 * The catalog module's route for platform:publish:local (any replica may receive it):
 * POST stores a publish in the catalog's database and hands its entities to the
 * catalog. Only the scaffolder's service credentials may publish.
 */
export function createPublishedEntitiesRouter(options: {
  httpAuth: HttpAuthService;
  store: PublishedEntityStore;
  provider: Pick<PublishedEntityProvider, 'added' | 'removed'>;
}): express.Router {
  const { httpAuth, store, provider } = options;
  const router = Router();
  router.use(express.json({ limit: '2mb' }));
  const requireScaffolder = async (req: express.Request) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    if (credentials.principal.subject !== 'plugin:scaffolder') {
      throw new NotAllowedError(
        'only the scaffolder publishes entities (platform:publish:local)',
      );
    }
  };
  router.post(PUBLISHED_ENTITIES_PATH, async (req, res) => {
    await requireScaffolder(req);
    const request = parseBody(req.body);
    const { created, row } = await store.publish(request, published =>
      provider.added(published),
    );
    res.status(created ? 201 : 200).json({ created, ...row });
  });
  // Only the task that published a name withdraws it (the catalog rejected its entity).
  router.delete(`${PUBLISHED_ENTITIES_PATH}/:name`, async (req, res) => {
    await requireScaffolder(req);
    const taskId = req.query.taskId;
    if (typeof taskId !== 'string' || !taskId) {
      throw new InputError('taskId must be the scaffolder task id');
    }
    res.json(
      await store.withdraw({ name: req.params.name, taskId }, row =>
        provider.removed(row),
      ),
    );
  });
  return router;
}
