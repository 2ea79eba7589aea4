/** The catalog module's publish route, under the catalog's base URL (/api/catalog). */
export const PUBLISHED_ENTITIES_PATH = '/platform-local-publish/entities';

/** In each published folder: which task published it, so that only that task may write it again. */
export const PUBLISHED_MARKER = '.platform-published.json';
