import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  KUBERNETES_CLUSTER_ANNOTATION,
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
  ALERT_SELECTOR_ANNOTATION,
} from '@internal/plugin-cluster-health-common';
import type { EntityIndex, EntityLink } from './owners';

const DEFAULT_TTL_MS = 60_000;
const DEFAULT_MAX_ASKERS = 1000;

interface Entry {
  index?: EntityIndex;
  loadedAt: number;
  loading?: Promise<EntityIndex>;
}

/** An entity as the views need it, read as the asker may read it. */
export interface ReadableEntity {
  /** The full ref, as the catalog spells it. */
  entityRef: string;
  /** backstage.io/kubernetes-id, else the entity's name. */
  kubernetesId: string;
  /** backstage.io/kubernetes-namespace */
  namespace?: string;
  /** backstage.io/kubernetes-cluster */
  cluster?: string;
  /** ml-platform.io/alert-selector */
  alertSelector?: string;
  /** The asker's kubernetes-id index (forAsker) that the entity was found in or beside. */
  index: EntityIndex;
}

type RefEntry = Omit<ReadableEntity, 'index'>;

/** The entity refs of each index (lower-cased, as the catalog compares them). */
const refsOf = new WeakMap<EntityIndex, Map<string, RefEntry>>();

/**
 * The catalog as the views of the Kubernetes plugins see it, read on behalf of the asker:
 * - `forAsker(credentials)`: the `kubernetes-id → entities` index of the entities that carry
 *   `backstage.io/kubernetes-id` and that the asker may read (the catalog's read permission
 *   and the portal's policy decide), several entities per id, each with the namespace it
 *   pins (`backstage.io/kubernetes-namespace`) and its owner as a full entity ref;
 * - `getEntity(entityRef, credentials)`: one entity, as the asker may read it.
 *
 * One index per asker, kept `ttlMs` (a minute): a request after that waits for a fresh one,
 * concurrent requests share one catalog read. A request in the second half of that minute
 * starts the next read in the background and is answered from the current index, so an
 * asker who keeps a page open never waits for the catalog. The first read of an asker fails the request
 * when the catalog does; a later failed refresh keeps the previous index (and logs why) until
 * the catalog answers again. At most `maxAskers` indexes are kept, the oldest read first out.
 *
 * Pair it with `linkFor` and `kubernetesIdResolver` to link a Kubernetes object to its entity.
 */
export class CatalogEntityIndex {
  static create(options: {
    catalog: CatalogService;
    logger: LoggerService;
    /** How long an asker's index is kept. Default 60 000. */
    ttlMs?: number;
    /** Indexes kept at most. Default 1000. */
    maxAskers?: number;
  }): CatalogEntityIndex {
    return new CatalogEntityIndex(
      options.catalog,
      options.logger,
      options.ttlMs ?? DEFAULT_TTL_MS,
      options.maxAskers ?? DEFAULT_MAX_ASKERS,
    );
  }

  private readonly entries = new Map<string, Entry>();

  private constructor(
    private readonly catalog: CatalogService,
    private readonly logger: LoggerService,
    private readonly ttlMs: number,
    private readonly maxAskers: number,
  ) {}

  /** kubernetes-id → the entities that claim it, as far as the asker may read them. */
  async forAsker(credentials: BackstageCredentials): Promise<EntityIndex> {
    const asker = askerKey(credentials);
    const entry = this.entries.get(asker) ?? { loadedAt: 0 };
    const age = Date.now() - entry.loadedAt;
    if (entry.index && age < this.ttlMs) {
      if (age >= this.ttlMs / 2 && !entry.loading) {
        // Read ahead: the next index is ready before this one expires.
        this.read(asker, entry, credentials).catch(error =>
          this.logger.warn(
            'catalog read failed: keeping the previous entity index',
            { asker, error: (error as Error).message },
          ),
        );
      }
      return entry.index;
    }
    const loading = entry.loading ?? this.read(asker, entry, credentials);
    try {
      return await loading;
    } catch (error) {
      if (!entry.index) {
        this.entries.delete(asker);
        throw error;
      }
      this.logger.warn(
        'catalog read failed: keeping the previous entity index',
        {
          asker,
          error: (error as Error).message,
        },
      );
      return entry.index;
    }
  }

  /** Starts a catalog read for the asker; the entry takes the index when it arrives. */
  private read(
    asker: string,
    entry: Entry,
    credentials: BackstageCredentials,
  ): Promise<EntityIndex> {
    entry.loading = this.load(credentials)
      .then(index => {
        entry.index = index;
        entry.loadedAt = Date.now();
        return index;
      })
      .finally(() => {
        entry.loading = undefined;
      });
    this.keep(asker, entry);
    return entry.loading;
  }

  /**
   * One entity as the asker may read it, with their kubernetes-id index: from that index when
   * the entity is in it (an entity with backstage.io/kubernetes-id that the asker's catalog
   * read returned, at most `ttlMs` ago), else read from the catalog with the asker's
   * credentials. `InputError` for a malformed ref, `NotFoundError` for one that does not
   * exist or that the asker may not read.
   */
  async readable(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<ReadableEntity> {
    const ref = parseRef(entityRef);
    const index = await this.forAsker(credentials);
    const known = refsOf.get(index)?.get(stringifyEntityRef(ref).toLowerCase());
    if (known) return { ...known, index };
    const entity = await this.getEntity(entityRef, credentials);
    const annotations = entity.metadata.annotations ?? {};
    return {
      entityRef: stringifyEntityRef(entity),
      kubernetesId:
        annotations[KUBERNETES_ID_ANNOTATION] ?? entity.metadata.name,
      namespace: annotations[KUBERNETES_NAMESPACE_ANNOTATION] || undefined,
      cluster: annotations[KUBERNETES_CLUSTER_ANNOTATION] || undefined,
      alertSelector: annotations[ALERT_SELECTOR_ANNOTATION] || undefined,
      index,
    };
  }

  /**
   * One entity, read with the asker's credentials: `InputError` for a malformed ref,
   * `NotFoundError` for one that does not exist or that the asker may not read.
   */
  async getEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<Entity> {
    const ref = parseRef(entityRef);
    const entity = await this.catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new NotFoundError(`No entity ${stringifyEntityRef(ref)}`);
    }
    return entity;
  }

  /** (Re)inserts an entry as the newest and drops the oldest beyond maxAskers. */
  private keep(asker: string, entry: Entry) {
    this.entries.delete(asker);
    this.entries.set(asker, entry);
    while (this.entries.size > this.maxAskers) {
      // A Map iterates in insertion order: the first key is the oldest read.
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  private async load(credentials: BackstageCredentials): Promise<EntityIndex> {
    const { items } = await this.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${KUBERNETES_ID_ANNOTATION}`]:
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
    const refs = new Map<string, RefEntry>();
    refsOf.set(index, refs);
    for (const entity of items) {
      const annotations = entity.metadata.annotations ?? {};
      const id = annotations[KUBERNETES_ID_ANNOTATION];
      if (!id) continue;
      const link: EntityLink = {
        entityRef: stringifyEntityRef(entity),
        ownerRef: ownerRefOf(entity),
        namespace: annotations[KUBERNETES_NAMESPACE_ANNOTATION] || undefined,
        cluster: annotations[KUBERNETES_CLUSTER_ANNOTATION] || undefined,
      };
      index.set(id, [...(index.get(id) ?? []), link]);
      refs.set(link.entityRef.toLowerCase(), {
        entityRef: link.entityRef,
        kubernetesId: id,
        namespace: link.namespace,
        cluster: link.cluster,
        alertSelector: annotations[ALERT_SELECTOR_ANNOTATION] || undefined,
      });
    }
    return index;
  }
}

function parseRef(entityRef: string) {
  try {
    return parseEntityRef(entityRef);
  } catch (error) {
    throw new InputError(`entityRef: ${(error as Error).message}`);
  }
}

/** Who is asking: a user by entity ref, a service by subject. */
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
 * spec.owner as a full entity ref, as the catalog resolves it: "data-engineering" →
 * "group:default/data-engineering", "user:alice" → "user:<entity's namespace>/alice".
 */
function ownerRefOf(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return undefined;
  }
}
