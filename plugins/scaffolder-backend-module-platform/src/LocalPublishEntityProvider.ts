import fs from 'node:fs/promises';
import path from 'node:path';
import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { parseAllDocuments } from 'yaml';

/**
 * Feeds the catalog with what `platform:publish:local` wrote: every
 * `<directory>/<name>/catalog-info.yaml`, as a full mutation each round (an entry deleted from
 * the directory leaves the catalog). Reads only that directory.
 */
export class LocalPublishEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;

  constructor(
    private readonly directory: string,
    private readonly logger: LoggerService,
  ) {}

  getProviderName() {
    return 'platform-local-publish';
  }

  async connect(connection: EntityProviderConnection) {
    this.connection = connection;
  }

  async refresh() {
    if (!this.connection) return;
    const entities: { entity: Entity; locationKey: string }[] = [];
    let names: string[] = [];
    try {
      names = await fs.readdir(this.directory);
    } catch {
      // nothing published yet
    }
    for (const name of names) {
      const file = path.join(this.directory, name, 'catalog-info.yaml');
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch {
        continue;
      }
      for (const doc of parseAllDocuments(text)) {
        const entity = doc.toJS() as Entity | null;
        if (!entity?.metadata?.name) {
          this.logger.warn('skipped a document without metadata.name', {
            file,
          });
          continue;
        }
        const location = `file:${file}`;
        entity.metadata.annotations = {
          ...entity.metadata.annotations,
          'backstage.io/managed-by-location': location,
          'backstage.io/managed-by-origin-location': location,
        };
        entities.push({
          entity,
          locationKey: `platform-local-publish:${name}`,
        });
      }
    }
    await this.connection.applyMutation({ type: 'full', entities });
  }
}
