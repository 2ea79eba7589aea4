import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import plugin from './index';
import { ragChatEntityCard } from './plugin';

describe('rag-chat plugin', () => {
  it('provides the API, the page (nav item page:rag-chat) and the entity card', () => {
    expect(plugin.id).toBe('rag-chat');
    for (const id of [
      'api:rag-chat',
      'page:rag-chat',
      'entity-card:rag-chat',
    ]) {
      expect(plugin.getExtension(id as any)).toBeDefined();
    }
  });

  it('shows the card on components, systems, APIs and resources', () => {
    const filter = createExtensionTester(ragChatEntityCard).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    );
    const entity = (kind: string) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind,
      metadata: { name: 'x' },
    });
    expect(filter?.(entity('Component'))).toBe(true);
    expect(filter?.(entity('Resource'))).toBe(true);
    expect(filter?.(entity('User'))).toBe(false);
  });
});
