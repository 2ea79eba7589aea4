import {
  AuthService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
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
import { EntityLinks, fleetView, gpuUse } from './fleet';
import { modelServerFigures, saturation } from './modelServer';
import { PrometheusClient } from './prometheus';
import { parseSelector } from './promql';

const RANGES = { '1h': 3600, '6h': 21600, '24h': 86400 } as const;
const entityQuery = z.object({
  entityRef: z.string().min(1).max(512),
  range: z.enum(['1h', '6h', '24h']).default('1h'),
});

export interface GpuInferenceOptions {
  prometheusUrl?: string;
  idleThresholdPercent: number;
  idleWindow: string;
}

/**
 * Routes:
 * - GET /fleet                          capacity, pending GPU pods, per-GPU use, waste
 * - GET /entity?entityRef&range=1h      a model server's figures, verdict, series and GPUs
 */
export async function createRouter(
  options: GpuInferenceOptions & {
    cache: ClusterCache;
    catalog: CatalogService;
    auth: AuthService;
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
  },
): Promise<express.Router> {
  const { cache, catalog, auth, httpAuth, permissions } = options;
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

  let links: { at: number; value: EntityLinks } | undefined;
  const entityLinks = async (): Promise<EntityLinks> => {
    if (links && Date.now() - links.at < 60_000) return links.value;
    const { items } = await catalog.getEntities(
      {
        filter: {
          'metadata.annotations.backstage.io/kubernetes-id':
            CATALOG_FILTER_EXISTS,
        },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
          'spec.owner',
        ],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const value: EntityLinks = new Map();
    for (const e of items) {
      const owner = (e.spec as { owner?: string } | undefined)?.owner;
      value.set(e.metadata.annotations!['backstage.io/kubernetes-id'], {
        entityRef: stringifyEntityRef(e),
        ownerRef: owner
          ? stringifyEntityRef(parseEntityRef(owner, { defaultKind: 'group' }))
          : undefined,
      });
    }
    links = { at: Date.now(), value };
    return value;
  };

  router.get('/fleet', async (req, res) => {
    await authorize(req);
    res.json(
      await fleetView({
        ...options,
        clusters: cache.clusters(),
        links: await entityLinks(),
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
    if (!options.prometheusUrl) {
      view.prometheus = {
        status: 'not-configured',
        message: 'Set gpuInference.prometheus.baseUrl',
      };
      res.json(view);
      return;
    }
    const client = new PrometheusClient(options.prometheusUrl);
    try {
      const [{ figures, series }, allGpus] = await Promise.all([
        modelServerFigures(client, selector, RANGES[parsed.data.range]),
        gpuUse(
          client,
          cache.clusters(),
          await entityLinks(),
          options.idleWindow,
        ),
      ]);
      view.figures = figures;
      view.series = series;
      view.gpus = allGpus.filter(g => g.entityRef === entityRef);
      Object.assign(view, saturation(figures, view.gpus));
    } catch (error) {
      view.prometheus = {
        status: 'unreachable',
        message: (error as Error).message,
      };
    }
    res.json(view);
  });

  return router;
}
