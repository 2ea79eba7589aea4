/**
 * What the platform's frontend plugins share: error panel titles and entity links.
 *
 * @packageDocumentation
 */

export { errorTitle } from './errorTitle';
export { entityLink, shortEntityRef } from './entityRefs';
export { EntityLink } from './components/EntityLink';
export type { EntityLinkProps } from './components/EntityLink';
