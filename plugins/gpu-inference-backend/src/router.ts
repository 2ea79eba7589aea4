import {
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ClusterCache } from '@internal/plugin-cluster-health-node';
import {
  gpuInferenceReadPermission,
  MODEL_SERVER_SELECTOR_ANNOTATION,
  ModelServerView,
} from '@internal/plugin-gpu-inference-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { GpuInferenceConfig } from './config';
import { EntityLinks } from './EntityLinks';
import { fleetView, gpuUse } from './fleet';
import { modelServerFigures, saturation } from './modelServer';
import { PrometheusClient, PrometheusError } from './prometheus';
import { parseSelector } from './promql';

const RANGES = { '1h': 3600, '6h': 21600, '24h': 86400 } as const;
const entityQuery = z.object({
  entityRef: z.string().min(1).max(512),
  range: z.enum(['1h', '6h', '24h']).default('1h'),
});

/**
 * Routes:
 * - GET /fleet                          capacity, pending GPU pods, per-GPU use, waste
 * - GET /entity?entityRef&range=1h      a model server's figures, verdict, series and GPUs
 *
 * Entity and owner refs in both come from catalog reads made with the asker's credentials:
 * an entity the asker may not read is not linked.
 */
export async function createRouter(
  options: GpuInferenceConfig & {
    cache: ClusterCache;
    catalog: CatalogService;
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
    logger: LoggerService;
  },
): Promise<express.Router> {
  const { cache, catalog, httpAuth, permissions, logger } = options;
  const links = new EntityLinks(catalog);
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
  const prometheus = () =>
    options.prometheusUrl
      ? new PrometheusClient({ baseUrl: options.prometheusUrl, logger })
      : undefined;

  router.get('/fleet', async (req, res) => {
    const credentials = await authorize(req);
    res.json(
      await fleetView({
        nodeGroupLabels: options.nodeGroupLabels,
        idleThresholdPercent: options.idleThresholdPercent,
        idleWindow: options.idleWindow,
        clusters: cache.clusters(),
        links: await links.forAsker(credentials),
        prometheus: prometheus(),
      }),
    );
  });

  router.get('/entity', async (req, res) => {
    const credentials = await authorize(req);
    const parsed = entityQuery.safeParse(req.query);
    if (!parsed.success)
      throw new InputError(
        parsed.error.issues
          .map(i => `${i.path.join('.')}: ${i.message}`)
          .join('; '),
      );
    let ref;
    try {
      ref = parseEntityRef(parsed.data.entityRef);
    } catch (error) {
      throw new InputError(`entityRef: ${(error as Error).message}`);
    }
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity)
      throw new NotFoundError(`No entity ${stringifyEntityRef(ref)}`);
    const entityRef = stringifyEntityRef(entity);
    const raw = entity.metadata.annotations?.[MODEL_SERVER_SELECTOR_ANNOTATION];
    const view: ModelServerView = {
      entityRef,
      selector: raw,
      prometheus: { status: 'ok' },
      saturation: 'unknown',
      verdict: '',
      series: [],
      gpus: [],
    };
    if (!raw) {
      view.verdict = `No ${MODEL_SERVER_SELECTOR_ANNOTATION} annotation: add the PromQL label matchers of its vLLM metrics`;
      res.json(view);
      return;
    }
    let selector: string;
    try {
      selector = parseSelector(raw);
    } catch (error) {
      throw new InputError(
        `${MODEL_SERVER_SELECTOR_ANNOTATION}: ${(error as Error).message}`,
      );
    }
    const client = prometheus();
    if (!client) {
      view.prometheus = {
        status: 'not-configured',
        message: 'Set gpuInference.prometheus.baseUrl',
      };
      res.json(view);
      return;
    }
    try {
      const [{ figures, series }, allGpus] = await Promise.all([
        modelServerFigures(client, selector, RANGES[parsed.data.range]),
        gpuUse(
          client,
          cache.clusters(),
          await links.forAsker(credentials),
          options.idleWindow,
        ),
      ]);
      view.figures = figures;
      view.series = series;
      view.gpus = allGpus.filter(g => g.entityRef === entityRef);
      Object.assign(view, saturation(figures, view.gpus));
    } catch (error) {
      if (!(error instanceof PrometheusError)) throw error;
      view.prometheus = { status: 'unreachable', message: error.message };
    }
    res.json(view);
  });

  return router;
}
