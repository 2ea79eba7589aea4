import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  kafkaLagReadPermission,
  parseConsumerGroupsAnnotation,
} from '@internal/plugin-kafka-lag-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { KafkaLagService } from './service/types';

const windowQuery = z.object({
  window: z.coerce.number().int().min(60).max(86_400).default(3600),
});
const refsQuery = z.object({ refs: z.string().min(1) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InputError(
      result.error.issues
        .map(i => `${i.path.join('.')}: ${i.message}`)
        .join('; '),
    );
  }
  return result.data;
}

/**
 * Routes:
 * - GET /clusters                          every cluster with its groups' figures
 * - GET /groups/:cluster/:group?window=s    one group: partitions, members, history
 * - GET /groups?refs=c/g,c/g                figures of the annotation's groups
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  service: KafkaLagService;
}): Promise<express.Router> {
  const { httpAuth, permissions, service } = options;
  const router = Router();
  router.use(express.json());

  const authorize = async (req: Request) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission: kafkaLagReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Not allowed to read Kafka consumer lag');
    }
  };

  router.get('/clusters', async (req, res) => {
    await authorize(req);
    res.json(await service.listClusters());
  });

  router.get('/groups', async (req, res) => {
    await authorize(req);
    const { refs } = parse(refsQuery, req.query);
    let parsed;
    try {
      parsed = parseConsumerGroupsAnnotation(refs);
    } catch (error) {
      throw new InputError((error as Error).message);
    }
    res.json(await service.getGroups(parsed));
  });

  router.get('/groups/:cluster/:group', async (req, res) => {
    await authorize(req);
    const { window } = parse(windowQuery, req.query);
    res.json(
      await service.getGroup(
        { cluster: req.params.cluster, group: req.params.group },
        window,
      ),
    );
  });

  return router;
}
