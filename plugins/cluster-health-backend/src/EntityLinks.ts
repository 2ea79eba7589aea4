import { AuthService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EntityIndex, KUBERNETES_ID_LABEL } from './analysis/owners';

const REFRESH_MS = 60_000;

/**
 * The catalog entities that carry backstage.io/kubernetes-id, read with the plugin's own
 * credentials and kept for a minute, so problems link to their entity and its owner.
 */
export class EntityLinks {
  private index: EntityIndex = new Map();
  private loadedAt = 0;
  private loading?: Promise<void>;

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  async get(): Promise<EntityIndex> {
    if (Date.now() - this.loadedAt > REFRESH_MS) {
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
      });
      // The first load is awaited; later ones refresh behind the cached index.
      if (this.loadedAt === 0) await this.loading;
    }
    return this.index;
  }

  private async load() {
    const { items } = await this.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${KUBERNETES_ID_LABEL}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
          'spec.owner',
        ],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    const index: EntityIndex = new Map();
    for (const entity of items) {
      const id = entity.metadata.annotations![KUBERNETES_ID_LABEL];
      const owner = (entity.spec as { owner?: string } | undefined)?.owner;
      const links = index.get(id) ?? [];
      links.push({
        entityRef: stringifyEntityRef(entity),
        ownerRef: owner
          ? normalizeOwner(owner, entity.metadata.namespace)
          : undefined,
        namespace:
          entity.metadata.annotations!['backstage.io/kubernetes-namespace'],
      });
      index.set(id, links);
    }
    this.index = index;
    this.loadedAt = Date.now();
  }
}

/** spec.owner as a full ref: "platform-team" → "group:default/platform-team". */
function normalizeOwner(owner: string, namespace = 'default') {
  if (owner.includes(':'))
    return owner.includes('/') ? owner : owner.replace(':', `:${namespace}/`);
  return `group:${namespace}/${owner}`;
}
