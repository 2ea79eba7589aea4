import { Link } from '@backstage/core-components';
import { entityLink, shortEntityRef } from '../../entityRefs';

/** Props of {@link EntityLink}. */
export interface EntityLinkProps {
  /** A full entity ref; without one the link reads "—". */
  entityRef?: string;
  /**
   * Shorten the text as people read it (`webapp` for `component:default/webapp` when
   * this is `component`), the full ref in the tooltip; without it the text is the full ref.
   */
  defaultKind?: string;
}

/** A link to an entity's catalog page. */
export function EntityLink(props: EntityLinkProps) {
  const { entityRef, defaultKind } = props;
  if (!entityRef) return <>—</>;
  if (!defaultKind) {
    return <Link to={entityLink(entityRef)}>{entityRef}</Link>;
  }
  return (
    <Link to={entityLink(entityRef)} title={entityRef}>
      {shortEntityRef(entityRef, defaultKind)}
    </Link>
  );
}
