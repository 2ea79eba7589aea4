/*
 * The plugin's read permission through the real permission framework: the permission
 * backend with a policy that denies kafka.lag.read to one user, the plugin's permissions
 * service asking it over HTTP. No sandbox needed: the one cluster is never sampled, which
 * still lists it (by name) for whoever may read consumer lag.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { kafkaLagReadPermission } from '@internal/plugin-kafka-lag-common';
import {
  ALLOWED_USER,
  DENIED_USER,
  startDenyingTestBackend,
} from '@internal/platform-node/testUtils';
import request from 'supertest';
import { kafkaLagPlugin } from './plugin';

jest.setTimeout(60_000);

describe('kafka-lag permissions', () => {
  let server: Awaited<ReturnType<typeof startDenyingTestBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startDenyingTestBackend({
      features: [kafkaLagPlugin],
      config: {
        kafka: {
          clusters: [{ name: 'platform-kafka', brokers: ['127.0.0.1:1'] }],
        },
      },
      deny: { permission: kafkaLagReadPermission },
    }));
  });

  it('registers kafka.lag.read with the permission framework', async () => {
    const res = await request(server).get(
      '/api/kafka-lag/.well-known/backstage/permissions/metadata',
    );
    expect(res.status).toBe(200);
    expect(res.body.permissions).toContainEqual(
      expect.objectContaining({ name: 'kafka.lag.read' }),
    );
  });

  it('answers 403 and no data to a user the policy denies', async () => {
    const allowed = await request(server)
      .get('/api/kafka-lag/clusters')
      .set('Authorization', mockCredentials.user.header(ALLOWED_USER));
    expect(allowed.status).toBe(200);
    expect(allowed.body.map((c: { name: string }) => c.name)).toEqual([
      'platform-kafka',
    ]);

    for (const path of [
      '/clusters',
      '/groups?refs=platform-kafka/llm-ingestors',
      '/groups/platform-kafka/llm-ingestors',
    ]) {
      const denied = await request(server)
        .get(`/api/kafka-lag${path}`)
        .set('Authorization', mockCredentials.user.header(DENIED_USER));
      expect({ path, status: denied.status }).toEqual({ path, status: 403 });
      expect(denied.body.error).toMatchObject({
        name: 'NotAllowedError',
        message: 'Not allowed to read Kafka consumer lag',
      });
      // Only the error: no cluster, group or partition figures.
      expect(Object.keys(denied.body).sort()).toEqual([
        'error',
        'request',
        'response',
      ]);
    }
  });
});
