export { EntityLink } from './EntityLink';
export type { EntityLinkProps } from './EntityLink';
