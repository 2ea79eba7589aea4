import { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_ID_ANNOTATION,
  MODEL_SERVER_SELECTOR_ANNOTATION,
} from '@internal/plugin-cluster-health-common';

/**
 * A component whose pods carry `backstage.io/kubernetes-id: <name>`, a model server when it
 * has a selector. Valid for the real catalog's processing too (it needs both locations).
 */
export function modelServerEntity(options: {
  name: string;
  owner?: string;
  selector?: string;
  labels?: Record<string, string>;
}): Entity {
  const { name, owner = 'group:default/ml-engineering', selector } = options;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      ...(options.labels ? { labels: options.labels } : {}),
      annotations: {
        'backstage.io/managed-by-location':
          'url:https://example.com/catalog-info.yaml',
        'backstage.io/managed-by-origin-location':
          'url:https://example.com/catalog-info.yaml',
        [KUBERNETES_ID_ANNOTATION]: name,
        ...(selector ? { [MODEL_SERVER_SELECTOR_ANNOTATION]: selector } : {}),
      },
    },
    spec: { type: 'model-server', lifecycle: 'production', owner },
  };
}
