import { APIRequestContext, expect } from '@playwright/test';

/** A guest's Backstage token, for the portal's own APIs (auth.providers.guest). */
export async function guestToken(request: APIRequestContext) {
  const res = await request.get('/api/auth/guest/refresh', {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  expect(res.ok()).toBe(true);
  return (await res.json()).backstageIdentity.token as string;
}

/** Whether the catalog has the entity `kind:namespace/name` now. */
export async function entityExists(request: APIRequestContext, ref: string) {
  const [kind, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  const res = await request.get(
    `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
    { headers: { authorization: `Bearer ${await guestToken(request)}` } },
  );
  return res.status() === 200;
}
