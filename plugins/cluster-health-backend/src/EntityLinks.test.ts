import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { EntityLinks } from './EntityLinks';

const entity = (name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': name },
  },
  spec: { type: 'service', lifecycle: 'production', owner },
});

const OPEN = entity('webapp', 'data-engineering');
const RESTRICTED = entity(
  'break-glass-operator',
  'group:default/platform-team',
);
const MEMBER = 'user:default/alice.nguyen';
const OUTSIDER = 'user:default/bruno.costa';

/** The catalog as the permission framework would answer: the restricted entity for members only. */
function catalog() {
  const asked: string[] = [];
  const mock = catalogServiceMock.mock({
    getEntities: async (_request, options) => {
      const { principal } = (options as { credentials: BackstageCredentials })
        .credentials as BackstageCredentials<{ userEntityRef?: string }>;
      asked.push(principal.userEntityRef ?? 'service');
      return {
        items: principal.userEntityRef === MEMBER ? [OPEN, RESTRICTED] : [OPEN],
      };
    },
  });
  return { mock, asked };
}

describe('EntityLinks', () => {
  it('links only the entities the asker may read, asking the catalog with their credentials', async () => {
    const { mock, asked } = catalog();
    const links = new EntityLinks(mock);

    const outsider = await links.get(mockCredentials.user(OUTSIDER));
    expect([...outsider.keys()]).toEqual(['webapp']);
    expect(outsider.get('break-glass-operator')).toBeUndefined();

    const member = await links.get(mockCredentials.user(MEMBER));
    expect(member.get('break-glass-operator')).toEqual([
      {
        entityRef: stringifyEntityRef(RESTRICTED),
        ownerRef: 'group:default/platform-team',
        namespace: undefined,
      },
    ]);
    expect(member.get('webapp')?.[0].ownerRef).toBe(
      'group:default/data-engineering',
    );

    // Each asker has an index of their own, kept for a while: the outsider's second
    // request does not get the member's index, nor ask the catalog again.
    const again = await links.get(mockCredentials.user(OUTSIDER));
    expect([...again.keys()]).toEqual(['webapp']);
    expect(asked).toEqual([OUTSIDER, MEMBER]);
  });

  it('fails the first request of an asker when the catalog does', async () => {
    const links = new EntityLinks(
      catalogServiceMock.mock({
        getEntities: async () => {
          throw new Error('catalog down');
        },
      }),
    );
    await expect(links.get(mockCredentials.user(OUTSIDER))).rejects.toThrow(
      'catalog down',
    );
  });
});
