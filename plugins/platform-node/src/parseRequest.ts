import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { z } from 'zod';

/**
 * Validates a request's query, body or params with a zod schema and returns the parsed
 * value; anything else is an `InputError` (answered 400) that names each failing field:
 * `window: Too small: expected number to be >=60; refs: Invalid input: expected string,
 * received undefined`. A failure of the value as a whole (a body that is not an object)
 * is named by `root`.
 *
 * @example
 * const { window } = parseRequest(windowQuery, req.query, 'query');
 * const body = parseRequest(askBody, req.body, 'body');
 */
export function parseRequest<T>(
  schema: z.ZodType<T>,
  value: unknown,
  root: string = 'request',
): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InputError(
      result.error.issues
        .map(issue => `${issuePath(issue.path) || root}: ${issue.message}`)
        .join('; '),
    );
  }
  return result.data;
}

// zod 4 paths may hold symbols, which Array.join cannot print.
function issuePath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/**
 * A request field holding a full entity ref (`kind:namespace/name`): the ref normalised
 * (`Component:Default/X` reads `component:default/x`); a malformed one fails with the
 * reason and the expected form, which `parseRequest` turns into a 400 naming the field.
 */
export const entityRefSchema = z
  .string()
  .min(1)
  .max(512)
  .transform((value, ctx) => {
    try {
      return stringifyEntityRef(parseEntityRef(value));
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `${
          (error as Error).message
        }; expected <kind>:<namespace>/<name>, e.g. component:default/llm-ingestors`,
      });
      return z.NEVER;
    }
  });
