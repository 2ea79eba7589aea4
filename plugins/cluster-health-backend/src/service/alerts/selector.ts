import { InputError } from '@backstage/errors';

/** One Alertmanager label matcher: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`. */
export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

const MATCHER =
  /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/;

/**
 * Parses matchers as Alertmanager writes them, with or without the braces:
 * `{alertname=~"Gpu.*", Hostname="node-1"}`. `InputError` naming the annotation for anything
 * else, so the entity page can say what to fix.
 */
export function parseAlertSelector(
  text: string,
  source = 'ml-platform.io/alert-selector',
): LabelMatcher[] {
  let rest = text.trim();
  if (rest.startsWith('{') && rest.endsWith('}')) rest = rest.slice(1, -1);
  const matchers: LabelMatcher[] = [];
  while (rest.trim().length > 0) {
    const m = MATCHER.exec(rest);
    if (!m) {
      throw new InputError(
        `${source}: cannot read "${rest.trim()}" in ${JSON.stringify(
          text,
        )}; expected label matchers such as {alertname=~"Gpu.*", namespace="ml"}`,
      );
    }
    const [all, name, op, raw] = m;
    const value = raw.replace(/\\(.)/g, '$1');
    if (op === '=~' || op === '!~') {
      try {
        RegExp(`^(?:${value})$`);
      } catch (error) {
        throw new InputError(
          `${source}: the regular expression of ${name} is not valid (${
            (error as Error).message
          })`,
        );
      }
    }
    matchers.push({ name, op: op as LabelMatcher['op'], value });
    rest = rest.slice(all.length);
  }
  if (matchers.length === 0) {
    throw new InputError(
      `${source}: no label matcher in ${JSON.stringify(text)}`,
    );
  }
  return matchers;
}

/** True when every matcher holds; an absent label is the empty string, as in Alertmanager. */
export function matchesAll(
  labels: Record<string, string>,
  matchers: LabelMatcher[],
): boolean {
  return matchers.every(({ name, op, value }) => {
    const actual = labels[name] ?? '';
    switch (op) {
      case '=':
        return actual === value;
      case '!=':
        return actual !== value;
      case '=~':
        return new RegExp(`^(?:${value})$`).test(actual);
      default:
        return !new RegExp(`^(?:${value})$`).test(actual);
    }
  });
}
