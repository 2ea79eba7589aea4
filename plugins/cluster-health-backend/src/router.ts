import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  clusterHealthReadPermission,
  ClusterSummary,
  EntityWorkloads,
  Problem,
  UnsupportedCluster,
} from '@internal/plugin-cluster-health-common';
import {
  ClusterCache,
  ClusterView,
} from '@internal/plugin-cluster-health-node';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { daemonSetCoverage } from './analysis/coverage';
import { recentWarningEvents } from './analysis/events';
import { nodeGroups } from './analysis/nodeGroups';
import { KUBERNETES_ID_LABEL } from './analysis/owners';
import { clusterProblems } from './analysis/problems';
import { clusterStatus, clusterSummary } from './analysis/summary';
import { entityWorkloads, githubReleases } from './analysis/workloads';
import { EntityLinks } from './EntityLinks';

const problemsQuery = z.object({
  cluster: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  owner: z.string().min(1).optional(),
  severity: z.enum(['error', 'warning']).optional(),
});
const eventsQuery = z.object({
  namespace: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
const entityQuery = z.object({ entityRef: z.string().min(1).max(512) });

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
 * A configured cluster (or locator method) the cache does not read, as an overview entry:
 * down, with the reason (naming the config key) as its message.
 */
function unsupportedSummary(entry: UnsupportedCluster): ClusterSummary {
  return {
    name: entry.name ?? entry.configKey.replace(/\.type$/, ''),
    title: entry.name ? undefined : `${entry.locator} cluster locator`,
    status: 'down',
    message: entry.reason,
    unsupported: entry,
    resources: [],
    nodes: { total: 0, notReady: 0 },
    pods: { total: 0, running: 0, pending: 0, failing: 0 },
    problems: { error: 0, warning: 0 },
  };
}

/**
 * Routes (all GET, all read from the cluster cache; no response carries a cluster's URL):
 * - /clusters                          summary and freshness of every cluster, then the
 *                                      configured clusters the portal does not read
 *                                      (`unsupported`, with the reason and config key)
 * - /clusters/:cluster/node-groups     node groups with capacity, requests and N−1 headroom
 * - /clusters/:cluster/daemonsets      DaemonSet coverage per node group, with the gaps
 * - /problems?cluster&namespace&owner&severity
 * - /clusters/:cluster/events?namespace&limit   recent warning events, newest first
 * - /github-releases                   GithubRelease objects with their producer Jobs
 * - /entity?entityRef=kind:ns/name     one entity's workloads and problems, per cluster
 */
export async function createRouter(options: {
  cache: ClusterCache;
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  nodeGroupLabels: string[];
}): Promise<express.Router> {
  const { cache, catalog, httpAuth, permissions, nodeGroupLabels } = options;
  // Entity and owner links as the catalog answers for the asker: only what they may read.
  const links = new EntityLinks(catalog);
  const router = Router();

  const authorize = async (req: Request) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission: clusterHealthReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Not allowed to read cluster health');
    }
    return credentials;
  };

  const clusterOf = (name: string): ClusterView => {
    const cluster = cache.cluster(name);
    if (!cluster) {
      const notRead = cache.unsupported().find(u => u.name === name);
      if (notRead) throw new NotFoundError(notRead.reason);
      throw new NotFoundError(
        `No cluster named "${name}" in kubernetes.clusterLocatorMethods`,
      );
    }
    return cluster;
  };

  const problemsOf = async (
    clusters: ClusterView[],
    credentials: BackstageCredentials,
  ): Promise<Problem[]> => {
    const index = await links.get(credentials);
    return clusters.flatMap(c => clusterProblems(c, index));
  };

  router.get('/clusters', async (req, res) => {
    const credentials = await authorize(req);
    const index = await links.get(credentials);
    const body: ClusterSummary[] = [
      ...cache
        .clusters()
        .map(c => clusterSummary(c, clusterProblems(c, index))),
      ...cache.unsupported().map(unsupportedSummary),
    ];
    res.json(body);
  });

  router.get('/clusters/:cluster/node-groups', async (req, res) => {
    await authorize(req);
    res.json(nodeGroups(clusterOf(req.params.cluster), nodeGroupLabels));
  });

  router.get('/clusters/:cluster/daemonsets', async (req, res) => {
    await authorize(req);
    res.json(daemonSetCoverage(clusterOf(req.params.cluster), nodeGroupLabels));
  });

  router.get('/clusters/:cluster/events', async (req, res) => {
    const credentials = await authorize(req);
    const query = parse(eventsQuery, req.query);
    const cluster = clusterOf(req.params.cluster);
    res.json(recentWarningEvents(cluster, await links.get(credentials), query));
  });

  router.get('/problems', async (req, res) => {
    const credentials = await authorize(req);
    const filter = parse(problemsQuery, req.query);
    const clusters = filter.cluster
      ? [clusterOf(filter.cluster)]
      : cache.clusters();
    const problems = (await problemsOf(clusters, credentials)).filter(
      p =>
        (!filter.namespace || p.namespace === filter.namespace) &&
        (!filter.owner || p.ownerRef === filter.owner) &&
        (!filter.severity || p.severity === filter.severity),
    );
    res.json(problems);
  });

  router.get('/github-releases', async (req, res) => {
    await authorize(req);
    res.json(cache.clusters().flatMap(githubReleases));
  });

  router.get('/entity', async (req, res) => {
    const credentials = await authorize(req);
    const { entityRef } = parse(entityQuery, req.query);
    let ref;
    try {
      ref = parseEntityRef(entityRef);
    } catch (error) {
      throw new InputError(`entityRef: ${(error as Error).message}`);
    }
    // Read with the user's own credentials: an entity they may not see is "not found".
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity)
      throw new NotFoundError(`No entity ${stringifyEntityRef(ref)}`);
    const annotations = entity.metadata.annotations ?? {};
    const kubernetesId =
      annotations[KUBERNETES_ID_LABEL] ?? entity.metadata.name;
    const namespace = annotations['backstage.io/kubernetes-namespace'];
    const fullRef = stringifyEntityRef(entity);
    const body: EntityWorkloads = {
      entityRef: fullRef,
      kubernetesId,
      namespace,
      clusters: await Promise.all(
        cache.clusters().map(async cluster => ({
          cluster: cluster.name,
          ...clusterStatus(cluster),
          workloads: entityWorkloads(cluster, kubernetesId, namespace),
          problems: (
            await problemsOf([cluster], credentials)
          ).filter(p => p.entityRef === fullRef),
        })),
      ),
    };
    res.json(body);
  });

  return router;
}
