import { parseEntityRef } from '@backstage/catalog-model';

/** "3 min ago" from an ISO time. */
export function formatAge(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

/** The catalog page of an entity ref. */
export function entityLink(ref: string): string {
  const { kind, namespace, name } = parseEntityRef(ref);
  return `/catalog/${namespace}/${kind.toLocaleLowerCase('en-US')}/${name}`;
}

/**
 * An entity ref as people read it: `release-notifier` for `component:default/release-notifier`
 * (the kind dropped when it is `defaultKind`, the namespace when it is `default`).
 */
export function shortRef(ref: string, defaultKind: string): string {
  const { kind, namespace, name } = parseEntityRef(ref);
  const ns = namespace === 'default' ? '' : `${namespace}/`;
  return kind.toLocaleLowerCase('en-US') === defaultKind
    ? `${ns}${name}`
    : `${kind.toLocaleLowerCase('en-US')}:${ns}${name}`;
}
