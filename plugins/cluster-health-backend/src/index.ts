/**
 * The cluster health backend plugin.
 *
 * @packageDocumentation
 */
export { clusterHealthPlugin as default } from './plugin';
