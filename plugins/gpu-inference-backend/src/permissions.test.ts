/*
 * The plugin's read permission through the real permission framework: the permission backend
 * with a policy that denies gpu.inference.read to one user, the plugin's permissions service
 * asking it over HTTP. No sandbox needed: no cluster is configured.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { gpuInferenceReadPermission } from '@internal/plugin-gpu-inference-common';
import {
  ALLOWED_USER,
  DENIED_USER,
  startDenyingTestBackend,
} from '@internal/platform-node/testUtils';
import request from 'supertest';
import { gpuInferencePlugin } from './plugin';
import { modelServerEntity } from './service/__testUtils__/entities';

jest.setTimeout(60_000);

describe('gpu-inference permissions', () => {
  let server: Awaited<ReturnType<typeof startDenyingTestBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startDenyingTestBackend({
      features: [
        gpuInferencePlugin,
        catalogServiceMock.factory({
          entities: [
            modelServerEntity({
              name: 'llm-chat-server',
              selector: 'job="model-server"',
            }),
          ],
        }),
      ],
      deny: { permission: gpuInferenceReadPermission },
    }));
  });

  it('registers gpu.inference.read with the permission framework', async () => {
    const res = await request(server)
      .get('/api/gpu-inference/.well-known/backstage/permissions/metadata')
      .set('Authorization', mockCredentials.service.header());
    expect(res.status).toBe(200);
    expect(res.body.permissions).toEqual([
      {
        type: 'basic',
        name: 'gpu.inference.read',
        attributes: { action: 'read' },
      },
    ]);
  });

  it('answers 403 and no figures to a user the policy denies', async () => {
    for (const path of [
      '/api/gpu-inference/fleet',
      '/api/gpu-inference/entity?entityRef=component:default/llm-chat-server',
    ]) {
      const res = await request(server)
        .get(path)
        .set('Authorization', mockCredentials.user.header(DENIED_USER));
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({
        name: 'NotAllowedError',
        message: 'Not allowed to read GPU inference figures',
      });
      expect(res.body).not.toHaveProperty('capacity');
      expect(res.body).not.toHaveProperty('entityRef');
    }
  });

  it('serves a user the policy allows', async () => {
    const fleet = await request(server)
      .get('/api/gpu-inference/fleet')
      .set('Authorization', mockCredentials.user.header(ALLOWED_USER));
    expect(fleet.status).toBe(200);
    expect(fleet.body).toMatchObject({ clusters: [], capacity: [] });
    const entity = await request(server)
      .get(
        '/api/gpu-inference/entity?entityRef=component:default/llm-chat-server',
      )
      .set('Authorization', mockCredentials.user.header(ALLOWED_USER));
    expect(entity.status).toBe(200);
    expect(entity.body).toMatchObject({
      entityRef: 'component:default/llm-chat-server',
      prometheus: { status: 'not-configured' },
    });
  });
});
