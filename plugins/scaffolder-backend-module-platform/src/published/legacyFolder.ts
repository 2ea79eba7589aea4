import fs from 'node:fs/promises';
import path from 'node:path';
import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { parseAllDocuments } from 'yaml';
import { PUBLISHED_MARKER } from './constants';
import { PublishedEntityStore } from './PublishedEntityStore';

/**
 * Publishes of the previous version, which kept them only as folders that its provider read
 * (`<directory>/<name>/catalog-info.yaml`, no marker file): stored in the table once, so that the
 * first full refresh from the table keeps them in the catalog instead of removing them. A folder
 * with a marker was published through the table already; a name or entity already in the table
 * is left as it is there.
 */
export async function importLegacyFolders(options: {
  directory: string;
  store: PublishedEntityStore;
  logger: LoggerService;
}): Promise<string[]> {
  const { directory, store, logger } = options;
  let names: string[];
  try {
    names = await fs.readdir(directory);
  } catch {
    return [];
  }
  const imported: string[] = [];
  for (const name of names.sort()) {
    const folder = path.join(directory, name);
    const hasMarker = await fs
      .stat(path.join(folder, PUBLISHED_MARKER))
      .then(() => true)
      .catch(() => false);
    if (hasMarker || (await store.get(name))) continue;
    let entities: Entity[];
    try {
      const text = await fs.readFile(
        path.join(folder, 'catalog-info.yaml'),
        'utf8',
      );
      entities = parseAllDocuments(text)
        .map(doc => doc.toJS() as Entity | null)
        .filter((e): e is Entity => !!e?.kind && !!e?.metadata?.name);
    } catch {
      continue;
    }
    if (entities.length === 0) continue;
    try {
      await store.publish(
        { name, taskId: `folder:${name}`, entities },
        async () => {},
      );
      imported.push(name);
    } catch (error) {
      logger.warn(
        'a published folder of the previous version was not imported',
        {
          folder,
          error: String(error),
        },
      );
    }
  }
  if (imported.length) {
    logger.info('imported the published folders of the previous version', {
      names: imported.join(', '),
    });
  }
  return imported;
}
