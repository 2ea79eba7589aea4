/**
 * A browser's sign-in with plain HTTP: a cookie jar, and the portal's OIDC sign-in through the
 * sandbox's IdP (the `idp` part) as a browser does it: the portal's /api/auth/oidc/start, the
 * IdP's own login form, back to the portal's handler, whose page carries the Backstage
 * identity. For tests and benchmarks against `scripts/sandbox up prod`.
 */

/** Whether a Set-Cookie attribute removes the cookie: `Max-Age` of 0 or less, or a past `Expires`. */
function expires(attribute: string) {
  const at = attribute.indexOf('=');
  if (at < 0) return false;
  const key = attribute.slice(0, at).trim().toLowerCase();
  const value = attribute.slice(at + 1).trim();
  if (key === 'max-age') return Number(value) <= 0;
  if (key === 'expires') return Date.parse(value) <= Date.now();
  return false;
}

/**
 * A browser's cookies, enough for one sign-in: by name, whatever the path or host (the portal
 * and the IdP are both on 127.0.0.1). Redirects are not followed: each answer is the caller's.
 */
export class CookieJar {
  private cookies = new Map<string, string>();

  async fetch(url: string | URL, init: RequestInit = {}) {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const header of res.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (!value || attributes.some(expires)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
}

function next(res: Response, base: string) {
  const location = res.headers.get('location');
  if (!location || res.status < 300 || res.status >= 400) {
    throw new Error(`expected a redirect from ${res.url}, got ${res.status}`);
  }
  return new URL(location, base);
}

export interface PortalIdentity {
  token: string;
  userEntityRef: string;
}

/**
 * Signs `email` in through the portal at `portalUrl` (auth environment `production`) and the
 * IdP at `issuer`; resolves to the Backstage token, or rejects with the portal's refusal.
 */
export async function signInThroughPortal(options: {
  portalUrl: string;
  issuer: string;
  email: string;
  password: string;
}): Promise<PortalIdentity> {
  const { portalUrl, issuer, email, password } = options;
  const jar = new CookieJar();
  const start = await jar.fetch(
    `${portalUrl}/api/auth/oidc/start?scope=${encodeURIComponent(
      'openid profile email',
    )}&env=production&flow=popup`,
  );
  let url = next(start, portalUrl);
  // The IdP: its authorization endpoint sends the browser to its login form.
  let res = await jar.fetch(url);
  while (res.status >= 300 && res.status < 400) {
    url = next(res, issuer);
    res = await jar.fetch(url);
  }
  const html = await res.text();
  const action = html.match(/<form method="post" action="([^"]+)"/)?.[1];
  if (!action)
    throw new Error(`no login form at ${url}: ${html.slice(0, 300)}`);
  res = await jar.fetch(new URL(action, issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password }).toString(),
  });
  // Back through the IdP's interaction to the portal's handler.
  url = next(res, issuer);
  while (url.origin !== new URL(portalUrl).origin) {
    url = next(await jar.fetch(url), issuer);
  }
  res = await jar.fetch(url);
  const page = await res.text();
  const data = page.match(
    /var authResponse = decodeURIComponent\('([^']*)'\)/,
  )?.[1];
  if (!data)
    throw new Error(
      `the portal's handler answered ${res.status}: ${page.slice(0, 300)}`,
    );
  const message = JSON.parse(decodeURIComponent(data));
  if (message.error) {
    throw Object.assign(new Error(message.error.message), {
      name: message.error.name,
    });
  }
  const identity = message.response.backstageIdentity;
  return {
    token: identity.token,
    userEntityRef: identity.identity.userEntityRef,
  };
}
