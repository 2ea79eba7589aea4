import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from '@internal/plugin-cluster-health-common';
import { CatalogEntityIndex } from './CatalogEntityIndex';
import { linkFor } from './owners';

const entity = (
  name: string,
  owner: string | undefined,
  annotations: Record<string, string>,
  namespace = 'default',
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace, annotations },
  spec: { type: 'service', lifecycle: 'production', owner },
});

const OPEN = entity('webapp', 'data-engineering', {
  [KUBERNETES_ID_ANNOTATION]: 'webapp',
});
const RESTRICTED = entity('break-glass-operator', 'group:platform-team', {
  [KUBERNETES_ID_ANNOTATION]: 'break-glass-operator',
});
const MEMBER = 'user:default/alice.nguyen';
const OUTSIDER = 'user:default/bruno.costa';

const logger = mockServices.logger.mock();

/** The catalog as the permission framework would answer: the restricted entity for members only. */
function catalog(answer?: (asker: string) => Entity[]) {
  const asked: string[] = [];
  const mock = catalogServiceMock.mock({
    getEntities: async (_request, options) => {
      const { principal } = (options as { credentials: BackstageCredentials })
        .credentials as BackstageCredentials<{ userEntityRef?: string }>;
      const asker = principal.userEntityRef ?? 'service';
      asked.push(asker);
      if (answer) return { items: answer(asker) };
      return { items: asker === MEMBER ? [OPEN, RESTRICTED] : [OPEN] };
    },
  });
  return { mock, asked };
}

afterEach(() => jest.useRealTimers());

describe('CatalogEntityIndex.forAsker', () => {
  it('links only the entities the asker may read, asking the catalog with their credentials', async () => {
    const { mock, asked } = catalog();
    const index = CatalogEntityIndex.create({ catalog: mock, logger });

    const outsider = await index.forAsker(mockCredentials.user(OUTSIDER));
    expect([...outsider.keys()]).toEqual(['webapp']);

    const member = await index.forAsker(mockCredentials.user(MEMBER));
    expect(member.get('break-glass-operator')).toEqual([
      {
        entityRef: 'component:default/break-glass-operator',
        ownerRef: 'group:default/platform-team',
        namespace: undefined,
      },
    ]);
    expect(member.get('webapp')?.[0].ownerRef).toBe(
      'group:default/data-engineering',
    );

    // Each asker has an index of their own, kept for a while: the outsider's second
    // request does not get the member's index, nor ask the catalog again.
    const again = await index.forAsker(mockCredentials.user(OUTSIDER));
    expect([...again.keys()]).toEqual(['webapp']);
    expect(asked).toEqual([OUTSIDER, MEMBER]);
  });

  it('keeps every entity of a shared kubernetes-id with the namespace it pins, and resolves owners as the catalog does', async () => {
    const { mock } = catalog(() => [
      entity('llm-dev', 'user:alice', {
        [KUBERNETES_ID_ANNOTATION]: 'llm',
        [KUBERNETES_NAMESPACE_ANNOTATION]: 'ml-dev',
      }),
      entity(
        'llm',
        'ml/ml-engineering',
        { [KUBERNETES_ID_ANNOTATION]: 'llm' },
        'team-ml',
      ),
      entity('llm-empty-namespace', undefined, {
        [KUBERNETES_ID_ANNOTATION]: 'other',
        [KUBERNETES_NAMESPACE_ANNOTATION]: '',
      }),
      entity('no-id', 'x', {}),
    ]);
    const index = await CatalogEntityIndex.create({
      catalog: mock,
      logger,
    }).forAsker(mockCredentials.user(MEMBER));

    expect(Object.fromEntries(index)).toEqual({
      llm: [
        {
          entityRef: 'component:default/llm-dev',
          ownerRef: 'user:default/alice',
          namespace: 'ml-dev',
        },
        {
          entityRef: 'component:team-ml/llm',
          ownerRef: 'group:ml/ml-engineering',
          namespace: undefined,
        },
      ],
      other: [
        {
          entityRef: 'component:default/llm-empty-namespace',
          ownerRef: undefined,
          namespace: undefined,
        },
      ],
    });
    // The pinned entity for its namespace, the unpinned one for every other namespace.
    expect(linkFor(index, 'llm', 'ml-dev')?.entityRef).toBe(
      'component:default/llm-dev',
    );
    expect(linkFor(index, 'llm', 'ml-prod')?.entityRef).toBe(
      'component:team-ml/llm',
    );
  });

  it('reads the catalog again once the index is older than the ttl', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    let items = [OPEN];
    const { mock, asked } = catalog(() => items);
    const index = CatalogEntityIndex.create({
      catalog: mock,
      logger,
      ttlMs: 60_000,
    });
    const asker = mockCredentials.user(OUTSIDER);

    expect([...(await index.forAsker(asker)).keys()]).toEqual(['webapp']);
    items = [OPEN, RESTRICTED];
    jest.setSystemTime(1_000_000 + 59_000);
    expect([...(await index.forAsker(asker)).keys()]).toEqual(['webapp']);
    jest.setSystemTime(1_000_000 + 61_000);
    expect([...(await index.forAsker(asker)).keys()]).toEqual([
      'webapp',
      'break-glass-operator',
    ]);
    expect(asked).toEqual([OUTSIDER, OUTSIDER]);
  });

  it('shares one catalog read between concurrent requests of an asker', async () => {
    const { mock, asked } = catalog();
    const index = CatalogEntityIndex.create({ catalog: mock, logger });
    const asker = mockCredentials.user(OUTSIDER);
    const [a, b] = await Promise.all([
      index.forAsker(asker),
      index.forAsker(asker),
    ]);
    expect(a).toBe(b);
    expect(asked).toEqual([OUTSIDER]);
  });

  it('fails the first request of an asker when the catalog does, and asks again next time', async () => {
    let down = true;
    const mock = catalogServiceMock.mock({
      getEntities: async () => {
        if (down) throw new Error('catalog down');
        return { items: [OPEN] };
      },
    });
    const index = CatalogEntityIndex.create({ catalog: mock, logger });
    const asker = mockCredentials.user(OUTSIDER);
    await expect(index.forAsker(asker)).rejects.toThrow('catalog down');
    down = false;
    expect([...(await index.forAsker(asker)).keys()]).toEqual(['webapp']);
  });

  it('keeps the previous index when a refresh fails, and logs why', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    let down = false;
    const mock = catalogServiceMock.mock({
      getEntities: async () => {
        if (down) throw new Error('catalog down');
        return { items: [OPEN] };
      },
    });
    const warnings = mockServices.logger.mock();
    const index = CatalogEntityIndex.create({
      catalog: mock,
      logger: warnings,
      ttlMs: 1000,
    });
    const asker = mockCredentials.user(OUTSIDER);
    await index.forAsker(asker);
    down = true;
    jest.setSystemTime(1_000_000 + 2000);
    expect([...(await index.forAsker(asker)).keys()]).toEqual(['webapp']);
    expect(warnings.warn).toHaveBeenCalledWith(
      'catalog read failed: keeping the previous entity index',
      { asker: `user:${OUTSIDER}`, error: 'catalog down' },
    );
  });

  it('keeps at most maxAskers indexes, dropping the oldest read', async () => {
    const { mock, asked } = catalog();
    const index = CatalogEntityIndex.create({
      catalog: mock,
      logger,
      maxAskers: 2,
    });
    const users = ['user:default/a', 'user:default/b', 'user:default/c'];
    for (const user of users) await index.forAsker(mockCredentials.user(user));
    await index.forAsker(mockCredentials.user(users[2]));
    await index.forAsker(mockCredentials.user(users[1]));
    await index.forAsker(mockCredentials.user(users[0]));
    expect(asked).toEqual([...users, users[0]]);
  });
});

describe('CatalogEntityIndex.getEntity', () => {
  it("reads the entity with the asker's credentials: 404 for one they may not see, 400 for a malformed ref", async () => {
    const seen: unknown[] = [];
    const mock = catalogServiceMock.mock({
      getEntityByRef: async (ref, options) => {
        seen.push(
          (options as { credentials: BackstageCredentials }).credentials,
        );
        return (ref as { name: string }).name === 'webapp' ? OPEN : undefined;
      },
    });
    const index = CatalogEntityIndex.create({ catalog: mock, logger });
    const asker = mockCredentials.user(OUTSIDER);

    await expect(
      index.getEntity('component:default/webapp', asker),
    ).resolves.toBe(OPEN);
    expect(seen).toEqual([asker]);
    await expect(
      index.getEntity('component:default/break-glass-operator', asker),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'No entity component:default/break-glass-operator',
    });
    await expect(index.getEntity('webapp', asker)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^entityRef: /),
    });
  });
});

describe('CatalogEntityIndex.readable', () => {
  function catalogWithLookups() {
    const { mock, asked } = catalog();
    const looked: string[] = [];
    const plain = entity('docs-site', 'web', {});
    mock.getEntityByRef.mockImplementation(async (ref, options) => {
      const name = (ref as { name: string }).name;
      looked.push(name);
      const { principal } = (options as { credentials: BackstageCredentials })
        .credentials as BackstageCredentials<{ userEntityRef?: string }>;
      if (name === 'docs-site') return plain;
      if (name === 'break-glass-operator' && principal.userEntityRef === MEMBER)
        return RESTRICTED;
      return name === 'webapp' ? OPEN : undefined;
    });
    return { mock, asked, looked };
  }

  it("answers an entity of the asker's index without a catalog lookup, any case of the ref", async () => {
    const { mock, asked, looked } = catalogWithLookups();
    const index = CatalogEntityIndex.create({ catalog: mock, logger });
    const asker = mockCredentials.user(MEMBER);
    const found = await index.readable(
      'Component:default/Break-Glass-Operator',
      asker,
    );
    expect(found).toMatchObject({
      entityRef: 'component:default/break-glass-operator',
      kubernetesId: 'break-glass-operator',
    });
    expect(found.index.get('webapp')).toBeDefined();
    await index.readable('component:default/webapp', asker);
    expect(looked).toEqual([]);
    expect(asked).toEqual([MEMBER]);
  });

  it('reads the catalog with the asker credentials for an entity outside the index: 404 when they may not read it', async () => {
    const { mock, looked } = catalogWithLookups();
    const index = CatalogEntityIndex.create({ catalog: mock, logger });
    const outsider = mockCredentials.user(OUTSIDER);
    await expect(
      index.readable('component:default/break-glass-operator', outsider),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'No entity component:default/break-glass-operator',
    });
    // No kubernetes-id annotation: not in the index; its name is the id.
    await expect(
      index.readable('component:default/docs-site', outsider),
    ).resolves.toMatchObject({
      entityRef: 'component:default/docs-site',
      kubernetesId: 'docs-site',
    });
    expect(looked).toEqual(['break-glass-operator', 'docs-site']);
    await expect(index.readable('webapp', outsider)).rejects.toMatchObject({
      name: 'InputError',
    });
  });

  it('reads the next index ahead in the second half of the ttl, answering from the current one meanwhile', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    let items = [OPEN];
    const { mock, asked } = catalog(() => items);
    const index = CatalogEntityIndex.create({
      catalog: mock,
      logger,
      ttlMs: 60_000,
    });
    const asker = mockCredentials.user(OUTSIDER);
    await index.forAsker(asker);
    items = [OPEN, RESTRICTED];
    jest.setSystemTime(1_000_000 + 20_000);
    expect([...(await index.forAsker(asker)).keys()]).toEqual(['webapp']);
    expect(asked).toEqual([OUTSIDER]);
    jest.setSystemTime(1_000_000 + 40_000);
    // Answered at once from the current index; the read ahead has started.
    expect([...(await index.forAsker(asker)).keys()]).toEqual(['webapp']);
    expect(asked).toEqual([OUTSIDER, OUTSIDER]);
    await Promise.resolve();
    jest.setSystemTime(1_000_000 + 41_000);
    expect([...(await index.forAsker(asker)).keys()]).toEqual([
      'webapp',
      'break-glass-operator',
    ]);
    expect(asked).toEqual([OUTSIDER, OUTSIDER]);
  });
});
