import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  kafkaLagReadPermission,
  parseConsumerGroupsAnnotation,
} from '@internal/plugin-kafka-lag-common';
import { createAuthorize, parseRequest } from '@internal/platform-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { GroupScalingReader } from './service/GroupScaling';
import { KafkaLagService } from './service/types';

const windowQuery = z.object({
  window: z.coerce.number().int().min(60).max(86_400).default(3600),
});
const refsQuery = z.object({ refs: z.string().min(1) });

/**
 * Routes:
 * - GET /clusters                          every cluster with its groups' figures
 * - GET /groups/:cluster/:group?window=s    one group: partitions, members, history
 * - GET /groups?refs=c/g,c/g                figures of the annotation's groups
 * - GET /groups/:cluster/:group/autoscaling  its KEDA ScaledObjects: why it scales as it does
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  service: KafkaLagService;
  scaling: GroupScalingReader;
}): Promise<express.Router> {
  const { httpAuth, permissions, service, scaling } = options;
  const router = Router();
  router.use(express.json());

  const authorize = createAuthorize({
    httpAuth,
    permissions,
    permission: kafkaLagReadPermission,
    notAllowedMessage: 'Not allowed to read Kafka consumer lag',
  });

  router.get('/clusters', async (req, res) => {
    await authorize(req);
    res.json(await service.listClusters());
  });

  router.get('/groups', async (req, res) => {
    await authorize(req);
    const { refs } = parseRequest(refsQuery, req.query, 'query');
    let parsed;
    try {
      parsed = parseConsumerGroupsAnnotation(refs);
    } catch (error) {
      throw new InputError((error as Error).message);
    }
    res.json(await service.getGroups(parsed));
  });

  // A group's page is one object per sample and window (the service keeps it until the
  // next sample); its JSON, ~230 kB at 1,000 partitions, is written once per object.
  const groupJson = new WeakMap<object, string>();
  router.get('/groups/:cluster/:group', async (req, res) => {
    await authorize(req);
    const { window } = parseRequest(windowQuery, req.query, 'query');
    const detail = await service.getGroup(
      { cluster: req.params.cluster, group: req.params.group },
      window,
    );
    let json = groupJson.get(detail);
    if (json === undefined) {
      json = JSON.stringify(detail);
      groupJson.set(detail, json);
    }
    res.type('application/json').send(json);
  });

  router.get('/groups/:cluster/:group/autoscaling', async (req, res) => {
    await authorize(req);
    res.json(
      await scaling.get({
        cluster: req.params.cluster,
        group: req.params.group,
      }),
    );
  });

  return router;
}
