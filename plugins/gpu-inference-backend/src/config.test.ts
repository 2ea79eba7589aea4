import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DEFAULT_NODE_GROUP_LABELS } from '@internal/plugin-cluster-health-node';
import { readGpuInferenceConfig } from './config';
import { gpuInferencePlugin } from './plugin';

const read = (gpuInference: object, rest: object = {}) =>
  readGpuInferenceConfig(new ConfigReader({ gpuInference, ...rest }));

describe('readGpuInferenceConfig', () => {
  it('has defaults, and reads the node groups of clusterHealth.nodeGroupLabels', () => {
    expect(read({})).toEqual({
      prometheusUrl: undefined,
      idleThresholdPercent: 10,
      idleWindow: '30m',
      nodeGroupLabels: DEFAULT_NODE_GROUP_LABELS,
    });
    expect(
      read(
        {},
        { clusterHealth: { nodeGroupLabels: ['platform.example/pool'] } },
      ).nodeGroupLabels,
    ).toEqual(['platform.example/pool']);
  });

  it.each(['30 minutes', '1h30m', '0m', 'm', '30'])(
    'rejects idleWindow %j, naming the key and the accepted form',
    idleWindow => {
      expect(() => read({ idleWindow })).toThrow(
        /^gpuInference\.idleWindow is ".*": expected a Prometheus duration, .*units ms, s, m, h, d, w, y \(e\.g\. 30m or 2h\)$/,
      );
    },
  );

  it('rejects a threshold outside 0..100 and a base URL that is not http(s)', () => {
    expect(() => read({ idleThresholdPercent: 120 })).toThrow(
      'gpuInference.idleThresholdPercent is 120: expected a percentage from 0 to 100',
    );
    expect(() => read({ prometheus: { baseUrl: 'prometheus:9090' } })).toThrow(
      /^gpuInference\.prometheus\.baseUrl is not an http\(s\) URL/,
    );
  });
});

it('fails startup on a bad gpuInference.idleWindow with the key in the message', async () => {
  await expect(
    startTestBackend({
      features: [
        gpuInferencePlugin,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: { gpuInference: { idleWindow: '30 minutes' } },
        }),
      ],
    }),
  ).rejects.toThrow(
    /gpuInference\.idleWindow is "30 minutes": expected a Prometheus duration/,
  );
});
