import { createExtensionTester } from '@backstage/frontend-test-utils';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import plugin from './index';
import { kafkaLagEntityCard, kafkaLagEntityContent } from './plugin';

describe('kafka-lag plugin', () => {
  it('provides the API, page, entity card and entity tab', () => {
    expect(plugin.id).toBe('kafka-lag');
    const ids = [
      'api:kafka-lag',
      'page:kafka-lag',
      'entity-card:kafka-lag',
      'entity-content:kafka-lag',
    ];
    for (const id of ids) {
      expect(plugin.getExtension(id as any)).toBeDefined();
    }
  });

  it('shows the card and tab only on entities with the annotation', () => {
    const withAnnotation = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'a',
        annotations: { 'kafka.apache.org/consumer-groups': 'c/g' },
      },
    };
    const without = { ...withAnnotation, metadata: { name: 'b' } };

    const cardFilter = createExtensionTester(kafkaLagEntityCard).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    );
    const contentFilter = createExtensionTester(kafkaLagEntityContent).get(
      EntityContentBlueprint.dataRefs.filterFunction,
    );
    for (const filter of [cardFilter, contentFilter]) {
      expect(filter?.(withAnnotation)).toBe(true);
      expect(filter?.(without)).toBe(false);
    }
  });
});
