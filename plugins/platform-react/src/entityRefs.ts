import { parseEntityRef } from '@backstage/catalog-model';

/**
 * The catalog page of a full entity ref (`kind:namespace/name`):
 * `/catalog/<namespace>/<kind>/<name>`, where the portal's app mounts the catalog.
 */
export function entityLink(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${namespace}/${kind.toLocaleLowerCase('en-US')}/${name}`;
}

/**
 * An entity ref as people read it: `release-notifier` for
 * `component:default/release-notifier` (the kind dropped when it is `defaultKind`, the
 * namespace when it is `default`); `group:ml/trainers` keeps both.
 */
export function shortEntityRef(entityRef: string, defaultKind: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  const ns = namespace === 'default' ? '' : `${namespace}/`;
  const lowerKind = kind.toLocaleLowerCase('en-US');
  return lowerKind === defaultKind.toLocaleLowerCase('en-US')
    ? `${ns}${name}`
    : `${lowerKind}:${ns}${name}`;
}
