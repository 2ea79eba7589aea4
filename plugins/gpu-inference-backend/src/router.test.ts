/*
 * What a request that cannot be answered gets: a Backstage error body with the status of the
 * @backstage/errors class the router or service threw, naming what is wrong. No sandbox
 * needed: no cluster or Prometheus is configured (those are partial views, not errors).
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { gpuInferencePlugin } from './plugin';
import { modelServerEntity } from './service/__testUtils__/entities';

jest.setTimeout(60_000);

describe('gpu-inference routes', () => {
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        gpuInferencePlugin,
        mockServices.rootConfig.factory({ data: {} }),
        catalogServiceMock.factory({
          entities: [
            modelServerEntity({
              name: 'bad-selector',
              selector: 'job="x"} or vector(1)',
            }),
          ],
        }),
      ],
    }));
  });

  const get = (query: string) =>
    request(server)
      .get(`/api/gpu-inference/entity?${query}`)
      .set('Authorization', mockCredentials.user.header());

  it.each([
    ['', 'InputError', /^entityRef: Invalid input: expected string/],
    [
      'entityRef=llm-chat-server',
      'InputError',
      /^entityRef: .*expected <kind>:<namespace>\/<name>/,
    ],
    [
      'entityRef=component:default/llm-chat-server&range=2h',
      'InputError',
      /^range: /,
    ],
    [
      'entityRef=component:default/bad-selector',
      'InputError',
      /^ml-platform\.io\/model-server-selector: not a list of PromQL label matchers/,
    ],
  ])(
    'answers 400 naming what is wrong for %j',
    async (query, name, message) => {
      const res = await get(query);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe(name);
      expect(res.body.error.message).toMatch(message);
    },
  );

  it('answers 404 for an entity the catalog does not have', async () => {
    const res = await get('entityRef=component:default/nowhere');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      name: 'NotFoundError',
      message: 'No entity component:default/nowhere',
    });
  });
});
