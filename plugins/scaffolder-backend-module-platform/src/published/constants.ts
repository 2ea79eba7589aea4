/** The catalog module's publish route, under the catalog's base URL (/api/catalog). */
export const PUBLISHED_ENTITIES_PATH = '/platform-local-publish/entities';
