import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EntityIndex, KUBERNETES_ID_LABEL } from './analysis/owners';

const REFRESH_MS = 60_000;
/** Indexes kept at most; the least recently loaded goes first. */
const MAX_ASKERS = 500;

interface Entry {
  index: EntityIndex;
  loadedAt: number;
  loading?: Promise<void>;
}

/** One cache entry per identity the catalog answers for. */
function askerKey(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user') return `user:${principal.userEntityRef}`;
  if (principal.type === 'service') return `service:${principal.subject}`;
  return principal.type;
}

/**
 * The catalog entities that carry backstage.io/kubernetes-id, as the catalog answers for
 * the asker (on behalf of the asker's credentials, so the catalog's read permission and
 * the portal's policy decide), so that problems link to their entity and its owner only
 * where the asker may read that entity. Kept for a minute per asker.
 */
export class EntityLinks {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly catalog: CatalogService) {}

  async get(credentials: BackstageCredentials): Promise<EntityIndex> {
    const key = askerKey(credentials);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { index: new Map(), loadedAt: 0 };
      this.entries.set(key, entry);
      this.evict();
    }
    if (Date.now() - entry.loadedAt > REFRESH_MS) {
      const current = entry;
      current.loading ??= this.load(credentials)
        .then(index => {
          current.index = index;
          current.loadedAt = Date.now();
        })
        .finally(() => {
          current.loading = undefined;
        });
      // The first load is awaited (and fails the request if the catalog does); later
      // ones refresh behind the cached index.
      if (current.loadedAt === 0) await current.loading;
      else current.loading.catch(() => undefined);
    }
    return entry.index;
  }

  private evict() {
    while (this.entries.size > MAX_ASKERS) {
      const oldest = [...this.entries].reduce((a, b) =>
        b[1].loadedAt < a[1].loadedAt ? b : a,
      );
      this.entries.delete(oldest[0]);
    }
  }

  private async load(credentials: BackstageCredentials): Promise<EntityIndex> {
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
      { credentials },
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
    return index;
  }
}

/** spec.owner as a full ref: "platform-team" → "group:default/platform-team". */
function normalizeOwner(owner: string, namespace = 'default') {
  if (owner.includes(':'))
    return owner.includes('/') ? owner : owner.replace(':', `:${namespace}/`);
  return `group:${namespace}/${owner}`;
}
