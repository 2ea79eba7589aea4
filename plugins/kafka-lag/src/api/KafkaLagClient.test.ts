import { ResponseError } from '@backstage/errors';
import { KafkaLagClient } from './KafkaLagClient';

const baseUrl = 'http://backend.test/api/kafka-lag';

function setup(response: Response) {
  const discoveryApi = { getBaseUrl: jest.fn(async () => baseUrl) };
  const fetch = jest.fn(async (_input: any, _init?: any) => response);
  const client = new KafkaLagClient({ discoveryApi, fetchApi: { fetch } });
  return { client, fetch, discoveryApi };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

describe('KafkaLagClient', () => {
  it('lists clusters from the discovered base URL', async () => {
    const clusters = [
      { name: 'eu', lastSampleAt: null, stale: false, groups: [] },
    ];
    const { client, fetch, discoveryApi } = setup(json(clusters));

    await expect(client.listClusters()).resolves.toEqual(clusters);
    expect(discoveryApi.getBaseUrl).toHaveBeenCalledWith('kafka-lag');
    expect(fetch).toHaveBeenCalledWith(`${baseUrl}/clusters`);
  });

  it('asks for one group with its history window, escaping the names', async () => {
    const { client, fetch } = setup(json({ group: 'g' }));

    await client.getGroup({ cluster: 'eu west', group: 'a#b' }, 21600);
    expect(fetch).toHaveBeenCalledWith(
      `${baseUrl}/groups/eu%20west/a%23b?window=21600`,
    );
  });

  it("asks for a group's autoscaling under the group's escaped path", async () => {
    const { client, fetch } = setup(json({ scaledObjects: [], notices: [] }));

    await client.getAutoscaling({ cluster: 'eu west', group: 'a#b' });
    expect(fetch).toHaveBeenCalledWith(
      `${baseUrl}/groups/eu%20west/a%23b/autoscaling`,
    );
  });

  it('leaves the window to the backend when none is given', async () => {
    const { client, fetch } = setup(json({ group: 'g' }));

    await client.getGroup({ cluster: 'eu', group: 'g' });
    expect(fetch).toHaveBeenCalledWith(`${baseUrl}/groups/eu/g`);
  });

  it('asks for the annotation groups in one request', async () => {
    const body = { groups: [], missing: [{ ref: 'eu/x', reason: 'unknown' }] };
    const { client, fetch } = setup(json(body));

    await expect(
      client.getGroups([
        { cluster: 'eu', group: 'x' },
        { cluster: 'us', group: 'llm.ingestors' },
      ]),
    ).resolves.toEqual(body);
    const url = new URL(fetch.mock.calls[0][0]);
    expect(`${url.origin}${url.pathname}`).toBe(`${baseUrl}/groups`);
    expect(url.searchParams.get('refs')).toBe('eu/x,us/llm.ingestors');
  });

  it("throws a ResponseError carrying the backend's message", async () => {
    const { client } = setup(
      json(
        {
          error: {
            name: 'NotFoundError',
            message:
              'No Kafka cluster "nope"; configured clusters are listed under kafka.clusters',
          },
          response: { statusCode: 404 },
        },
        404,
      ),
    );

    const error = await client
      .getGroup({ cluster: 'nope', group: 'g' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(404);
    expect(error.message).toBe('Request failed with 404 ');
    expect(error.cause.name).toBe('NotFoundError');
    expect(error.cause.message).toContain('kafka.clusters');
  });
});
