import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { entityRefSchema, parseRequest } from './parseRequest';

const query = z.object({
  window: z.coerce.number().int().min(60).default(3600),
  refs: z.string().min(1),
});

function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('parseRequest', () => {
  it('returns the parsed value, with coercions and defaults', () => {
    expect(parseRequest(query, { refs: 'eu/g', window: '600' })).toEqual({
      refs: 'eu/g',
      window: 600,
    });
    expect(parseRequest(query, { refs: 'eu/g' })).toEqual({
      refs: 'eu/g',
      window: 3600,
    });
  });

  it('throws InputError naming every failing field', () => {
    const error = failure(() => parseRequest(query, { window: '5' }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      'window: Too small: expected number to be >=60; ' +
        'refs: Invalid input: expected string, received undefined',
    );
  });

  it('names nested fields by their path', () => {
    const body = z.object({ items: z.array(z.object({ id: z.string() })) });
    const error = failure(() =>
      parseRequest(body, { items: [{ id: 'a' }, { id: 3 }] }),
    );
    expect(error.message).toBe(
      'items.1.id: Invalid input: expected string, received number',
    );
  });

  it('names a failure of the whole value by its root', () => {
    const body = z.object({ question: z.string() });
    expect(failure(() => parseRequest(body, undefined, 'body')).message).toBe(
      'body: Invalid input: expected object, received undefined',
    );
    expect(failure(() => parseRequest(body, 'text')).message).toBe(
      'request: Invalid input: expected object, received string',
    );
  });
});

describe('entityRefSchema', () => {
  const schema = z.object({ entityRef: entityRefSchema });

  it('normalises a full entity ref', () => {
    expect(
      parseRequest(schema, { entityRef: 'Component:Default/Webapp' }),
    ).toEqual({ entityRef: 'component:default/webapp' });
  });

  it.each([
    ['webapp', 'Entity reference "webapp" had missing or empty kind'],
    ['component:', 'Entity reference "component:" was not on the form'],
  ])('refuses %p with the reason and the expected form', (ref, reason) => {
    const error = failure(() => parseRequest(schema, { entityRef: ref }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(`entityRef: ${reason}`);
    expect(error.message).toMatch(
      /; expected <kind>:<namespace>\/<name>, e\.g\. component:default\/llm-ingestors$/,
    );
  });

  it('refuses an empty and an overlong ref', () => {
    expect(failure(() => parseRequest(schema, { entityRef: '' })).message).toBe(
      'entityRef: Too small: expected string to have >=1 characters',
    );
    expect(
      failure(() =>
        parseRequest(schema, {
          entityRef: `component:default/${'x'.repeat(600)}`,
        }),
      ).message,
    ).toBe('entityRef: Too big: expected string to have <=512 characters');
  });
});
