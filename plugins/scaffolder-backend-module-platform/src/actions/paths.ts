import fs from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '@backstage/errors';

/** True when `target` is `root` itself or lies below it (no `..` step out, not another drive). */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return (
    relative === '' ||
    (relative !== '..' &&
      !relative.startsWith(`..${path.sep}`) &&
      !path.isAbsolute(relative))
  );
}

/**
 * Resolves `given` (an action input named `key`) against the task's workspace and makes sure
 * the result stays inside it, also after following symbolic links. A sibling such as
 * `<workspace>-evil` is outside: the check compares path segments, not string prefixes.
 */
export async function resolveInWorkspace(
  workspacePath: string,
  given: string,
  key: string,
): Promise<string> {
  const root = path.resolve(workspacePath);
  const target = path.resolve(root, given);
  const outside = () =>
    new InputError(
      `${key}: "${given}" is outside the task's workspace; give a path relative to it`,
    );
  if (!isInside(root, target)) throw outside();
  const real = await fs.realpath(target).catch(() => undefined);
  if (real && !isInside(await fs.realpath(root), real)) throw outside();
  return target;
}
