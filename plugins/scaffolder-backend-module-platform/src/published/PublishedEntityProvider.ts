import path from 'node:path';
import { Entity } from '@backstage/catalog-model';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  PublishedEntities,
  PublishedEntityStore,
} from './PublishedEntityStore';

/**
 * Feeds the catalog with what `platform:publish:local` published, from the table in the
 * catalog's database: a `delta` with the new entities at each publish (on whichever
 * replica received it), and a `full` mutation built from the whole table in each
 * refresh (a global task, so one replica at a time). Every replica builds the same
 * full set, so no replica removes another's entities; the table is read under a lock
 * that holds publishes back, so a publish cannot fall between reading and applying.
 */
export class PublishedEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;

  constructor(
    private readonly store: PublishedEntityStore,
    /** Where the action copies the generated files: the entities' location annotation. */
    private readonly directory: string,
  ) {}

  getProviderName() {
    return 'platform-local-publish';
  }

  async connect(connection: EntityProviderConnection) {
    this.connection = connection;
  }

  /** The entities of a new publish, as a delta. */
  async added(row: PublishedEntities) {
    await this.requireConnection().applyMutation({
      type: 'delta',
      added: this.deferred(row),
      removed: [],
    });
  }

  /** The entities of a withdrawn publish, as a delta. */
  async removed(row: PublishedEntities) {
    await this.requireConnection().applyMutation({
      type: 'delta',
      added: [],
      removed: this.deferred(row),
    });
  }

  /** Every published entity, as a full mutation. */
  async refresh() {
    if (!this.connection) return;
    const connection = this.connection;
    await this.store.withAll(rows =>
      connection.applyMutation({
        type: 'full',
        entities: rows.flatMap(row => this.deferred(row)),
      }),
    );
  }

  private requireConnection(): EntityProviderConnection {
    if (!this.connection) {
      throw new Error(
        'the platform-local-publish entity provider is not connected to the catalog yet',
      );
    }
    return this.connection;
  }

  private deferred(row: PublishedEntities): DeferredEntity[] {
    const location = `file:${path.join(
      this.directory,
      row.name,
      'catalog-info.yaml',
    )}`;
    return row.entities.map(
      (entity): DeferredEntity => ({
        entity: {
          ...entity,
          metadata: {
            ...entity.metadata,
            annotations: {
              ...entity.metadata.annotations,
              'backstage.io/managed-by-location': location,
              'backstage.io/managed-by-origin-location': location,
            },
          },
        } as Entity,
        locationKey: `platform-local-publish:${row.name}`,
      }),
    );
  }
}
