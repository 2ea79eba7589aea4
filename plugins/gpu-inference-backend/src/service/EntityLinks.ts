import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EntityIndex,
  KUBERNETES_ID_LABEL,
} from '@internal/plugin-cluster-health-node';

const NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';

/**
 * The catalog entities with backstage.io/kubernetes-id that the asker may read, indexed by
 * kubernetes-id (several entities may share one; a kubernetes-namespace annotation narrows an
 * entity to that namespace). Read with the asker's credentials, so the catalog's permission
 * policy decides what a view may link to, and kept per asker for `ttlMs`.
 */
export class EntityLinks {
  private readonly byAsker = new Map<
    string,
    { at: number; index: Promise<EntityIndex> }
  >();

  constructor(
    private readonly catalog: CatalogService,
    private readonly options: { ttlMs: number; maxAskers: number } = {
      ttlMs: 60_000,
      maxAskers: 1000,
    },
  ) {}

  forAsker(credentials: BackstageCredentials): Promise<EntityIndex> {
    const key = askerKey(credentials);
    const now = Date.now();
    const cached = this.byAsker.get(key);
    if (cached && now - cached.at < this.options.ttlMs) return cached.index;
    this.byAsker.delete(key);
    if (this.byAsker.size >= this.options.maxAskers) {
      // Map keeps insertion order: the first key is the oldest entry.
      this.byAsker.delete(this.byAsker.keys().next().value!);
    }
    const index = this.load(credentials);
    this.byAsker.set(key, { at: now, index });
    index.catch(() => this.byAsker.delete(key));
    return index;
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
      const annotations = entity.metadata.annotations ?? {};
      const id = annotations[KUBERNETES_ID_LABEL];
      if (!id) continue;
      const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
      const links = index.get(id) ?? [];
      links.push({
        entityRef: stringifyEntityRef(entity),
        ownerRef: ownerRefOf(owner, entity.metadata.namespace),
        namespace: annotations[NAMESPACE_ANNOTATION] || undefined,
      });
      index.set(id, links);
    }
    return index;
  }
}

/** spec.owner as a full ref ("ml-engineering" → "group:default/ml-engineering"). */
function ownerRefOf(owner: unknown, namespace = 'default') {
  if (typeof owner !== 'string' || !owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: namespace,
      }),
    );
  } catch {
    return undefined;
  }
}

/** Who is asking: a user by entity ref, a service by subject. */
function askerKey(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  return `${p.type}:${p.userEntityRef ?? p.subject ?? ''}`;
}
