import { Link } from '@backstage/core-components';
import { entityLink, shortRef } from '../../lib/format';

/** A link to an entity, shown as people read it, the full ref in the tooltip. */
export function RefLink({
  entityRef,
  kind,
}: {
  entityRef?: string;
  kind: string;
}) {
  if (!entityRef) return <>—</>;
  return (
    <Link to={entityLink(entityRef)} title={entityRef}>
      {shortRef(entityRef, kind)}
    </Link>
  );
}
