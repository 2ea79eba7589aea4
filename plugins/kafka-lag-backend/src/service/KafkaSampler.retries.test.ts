/*
 * The sampler's retry loop alone: a refresh that fails is tried ATTEMPTS times, each on
 * fresh connections, and no more once its caller has given it up. The Kafka side is in
 * DefaultKafkaLagService.test.ts against the sandbox's brokers.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { KafkaSampler } from './KafkaSampler';

function failingSampler() {
  const sampler = new KafkaSampler(
    { name: 'c1', kafka: { clientId: 't', brokers: ['127.0.0.1:1'] } },
    mockServices.logger.mock(),
  );
  const disconnect = jest.fn(async () => {});
  // Connections as connect() keeps them: the sampler's current cluster.
  jest.spyOn(sampler as any, 'connect').mockImplementation(async () => {
    (sampler as any).cluster ??= { disconnect };
    return (sampler as any).cluster;
  });
  const read = jest
    .spyOn(sampler as any, 'read')
    .mockRejectedValue(new Error('broker went away'));
  return { sampler, read, disconnect };
}

describe('KafkaSampler retries', () => {
  it('tries a failing refresh three times, dropping the connections after each', async () => {
    const { sampler, read, disconnect } = failingSampler();
    await expect(sampler.snapshot()).rejects.toThrow('broker went away');
    expect(read).toHaveBeenCalledTimes(3);
    expect(disconnect).toHaveBeenCalledTimes(3);
  });

  it('tries no more once the refresh is given up', async () => {
    const { sampler, read } = failingSampler();
    const givenUp = new AbortController();
    givenUp.abort();
    await expect(sampler.snapshot(givenUp.signal)).rejects.toThrow(
      'broker went away',
    );
    expect(read).toHaveBeenCalledTimes(1);
  });
});
