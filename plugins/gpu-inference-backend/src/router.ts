import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  gpuInferenceReadPermission,
  MODEL_SERVER_RANGES,
} from '@internal/plugin-gpu-inference-common';
import {
  createAuthorize,
  entityRefSchema,
  parseRequest,
} from '@internal/platform-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { GpuInferenceService } from './service/types';

const entityQuery = z.object({
  entityRef: entityRefSchema,
  range: z.enum(MODEL_SERVER_RANGES).default('1h'),
});

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
  const authorize = createAuthorize({
    httpAuth,
    permissions,
    permission: gpuInferenceReadPermission,
    notAllowedMessage: 'Not allowed to read GPU inference figures',
  });

  router.get('/fleet', async (req, res) => {
    const credentials = await authorize(req);
    res.json(await service.getFleet({ credentials }));
  });

  router.get('/entity', async (req, res) => {
    const credentials = await authorize(req);
    const { entityRef, range } = parseRequest(entityQuery, req.query, 'query');
    res.json(
      await service.getModelServer({ entityRef, range }, { credentials }),
    );
  });

  return router;
}
