/*
 * Shared by the benchmarks: percentiles, how figures are printed, and signing in to a
 * running portal backend as the guest user.
 */

/** The value below which p% of the values fall (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

export const ms = (v: number) => `${v.toFixed(1)} ms`;

/** A guest user's Backstage token from a portal backend with guest sign-in. */
export async function guestToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok) {
    throw new Error(
      `guest sign-in at ${baseUrl} failed: ${res.status} ${await res.text()}`,
    );
  }
  return (await res.json()).backstageIdentity.token as string;
}
