import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  createAuthorize,
  entityRefSchema,
  parseRequest,
} from '@internal/platform-node';
import { clusterHealthReadPermission } from '@internal/plugin-cluster-health-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ClusterHealthService } from './service/types';

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
const entityQuery = z.object({ entityRef: entityRefSchema });

/**
 * Routes (all GET, all read from the cluster cache; no response carries a cluster's URL):
 * - /clusters                          summary and freshness of every cluster, then the
 *                                      configured clusters the portal does not read
 *                                      (`unsupported`, with the reason and config key)
 * - /clusters/:cluster/node-groups     node groups with capacity, requests and N−1 headroom
 * - /clusters/:cluster/daemonsets      DaemonSet coverage per node group, with the gaps
 * - /clusters/:cluster/control-plane   readyz/livez checks, version, leader Leases (probed)
 * - /problems?cluster&namespace&owner&severity
 * - /clusters/:cluster/events?namespace&limit   recent warning events, newest first
 * - /github-releases                   GithubRelease objects with their producer Jobs
 * - /entity?entityRef=kind:ns/name     one entity's workloads and problems, per cluster
 * - /alerts                            every cluster's alerts from its Alertmanager
 * - /entity/alerts?entityRef=...       one entity's alerts, per cluster
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  service: ClusterHealthService;
}): Promise<express.Router> {
  const { httpAuth, permissions, service } = options;
  const router = Router();

  const authorize = createAuthorize({
    httpAuth,
    permissions,
    permission: clusterHealthReadPermission,
    notAllowedMessage: 'Not allowed to read cluster health',
  });

  router.get('/clusters', async (req, res) => {
    const credentials = await authorize(req);
    res.json(await service.listClusters({ credentials }));
  });

  router.get('/clusters/:cluster/node-groups', async (req, res) => {
    await authorize(req);
    res.json(await service.getNodeGroups(req.params.cluster));
  });

  router.get('/clusters/:cluster/daemonsets', async (req, res) => {
    await authorize(req);
    res.json(await service.getDaemonSets(req.params.cluster));
  });

  router.get('/clusters/:cluster/control-plane', async (req, res) => {
    await authorize(req);
    res.json(await service.getControlPlane(req.params.cluster));
  });

  router.get('/clusters/:cluster/events', async (req, res) => {
    const credentials = await authorize(req);
    const query = parseRequest(eventsQuery, req.query, 'query');
    res.json(
      await service.getEvents(req.params.cluster, query, { credentials }),
    );
  });

  router.get('/problems', async (req, res) => {
    const credentials = await authorize(req);
    const filter = parseRequest(problemsQuery, req.query, 'query');
    res.json(await service.getProblems(filter, { credentials }));
  });

  router.get('/github-releases', async (req, res) => {
    await authorize(req);
    res.json(await service.getGithubReleases());
  });

  router.get('/entity', async (req, res) => {
    const credentials = await authorize(req);
    const { entityRef } = parseRequest(entityQuery, req.query, 'query');
    res.json(await service.getEntity(entityRef, { credentials }));
  });

  router.get('/alerts', async (req, res) => {
    await authorize(req);
    res.json(await service.getAlerts());
  });

  router.get('/entity/alerts', async (req, res) => {
    const credentials = await authorize(req);
    const { entityRef } = parseRequest(entityQuery, req.query, 'query');
    res.json(await service.getEntityAlerts(entityRef, { credentials }));
  });

  return router;
}
