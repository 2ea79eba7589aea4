import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  gpuInferenceReadPermission,
  MODEL_SERVER_RANGES,
} from '@internal/plugin-gpu-inference-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { GpuInferenceService } from './service/types';

const entityQuery = z.object({
  entityRef: z.string().min(1).max(512),
  range: z.enum(MODEL_SERVER_RANGES).default('1h'),
});

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
 * Routes (permission gpu.inference.read on each):
 * - GET /fleet                          capacity, pending GPU pods, per-GPU use, waste
 * - GET /entity?entityRef&range=1h      a model server's figures, verdict, series and GPUs
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  service: GpuInferenceService;
}): Promise<express.Router> {
  const { httpAuth, permissions, service } = options;
  const router = Router();

  const authorize = async (req: Request) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission: gpuInferenceReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW)
      throw new NotAllowedError('Not allowed to read GPU inference figures');
    return credentials;
  };

  router.get('/fleet', async (req, res) => {
    const credentials = await authorize(req);
    res.json(await service.getFleet({ credentials }));
  });

  router.get('/entity', async (req, res) => {
    const credentials = await authorize(req);
    const { entityRef, range } = parse(entityQuery, req.query);
    res.json(
      await service.getModelServer({ entityRef, range }, { credentials }),
    );
  });

  return router;
}
