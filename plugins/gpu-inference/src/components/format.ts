import { parseEntityRef } from '@backstage/catalog-model';

/** The catalog page of an entity ref. */
export function entityLink(ref: string): string {
  const { kind, namespace, name } = parseEntityRef(ref);
  return `/catalog/${namespace}/${kind.toLocaleLowerCase('en-US')}/${name}`;
}
