import { EventsService } from '@backstage/plugin-events-node';

/** The catalog publishes its processing errors here (the catalog backend's CATALOG_ERRORS_TOPIC). */
export const CATALOG_ERRORS_TOPIC = 'experimental.catalog.errors';

const KEEP = 500;

/**
 * The catalog's latest processing errors per entity, as the catalog publishes them on the
 * events service while it processes entities: what platform:publish:local reports when the
 * catalog rejects what it published, instead of waiting for an entity that will never appear.
 * Kept in memory, the newest {@link KEEP} entities.
 */
export class CatalogProcessingErrors {
  private readonly byRef = new Map<
    string,
    { at: number; messages: string[] }
  >();

  static async create(events: EventsService) {
    const errors = new CatalogProcessingErrors();
    await events.subscribe({
      id: 'platform-publish-local-catalog-errors',
      topics: [CATALOG_ERRORS_TOPIC],
      onEvent: async ({ eventPayload }) => errors.record(eventPayload),
    });
    return errors;
  }

  /** An event of the topic: `{ entity: entityRef, location, errors }`. */
  record(payload: unknown) {
    const { entity, errors } = (payload ?? {}) as {
      entity?: unknown;
      errors?: unknown[];
    };
    if (typeof entity !== 'string' || !Array.isArray(errors)) return;
    const messages = errors.map(e =>
      typeof e === 'object' && e && 'message' in e
        ? String((e as { message: unknown }).message)
        : String(e),
    );
    const key = entity.toLocaleLowerCase('en-US');
    this.byRef.delete(key);
    this.byRef.set(key, { at: Date.now(), messages });
    while (this.byRef.size > KEEP) {
      this.byRef.delete(this.byRef.keys().next().value!);
    }
  }

  /** The catalog's errors for the entity reported at or after `since` (ms), if any. */
  since(entityRef: string, since: number): string[] | undefined {
    const found = this.byRef.get(entityRef.toLocaleLowerCase('en-US'));
    return found && found.at >= since && found.messages.length > 0
      ? found.messages
      : undefined;
  }
}
