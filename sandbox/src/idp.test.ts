/*
 * Tests of the sandbox's OpenID Provider (scripts/sandbox up idp) over plain HTTP, as a
 * browser and the portal's backend would talk to it: discovery, the authorization code flow
 * with PKCE through the provider's own login form, the token and userinfo endpoints, a
 * refresh, and the refusals (wrong password, unknown email, no PKCE, wrong verifier).
 */
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { sandboxEnv } from './env';
import { CookieJar } from './portalSignIn';

jest.setTimeout(30_000);

const env = sandboxEnv();
const REDIRECT_URI = 'http://127.0.0.1:57080/api/auth/oidc/handler/frame';

/** The first User of the catalog that has an email: an account of the idp. */
function catalogUser() {
  const org = readFileSync(
    join(__dirname, '..', '..', 'catalog', 'org.yaml'),
    'utf8',
  );
  for (const doc of parseAllDocuments(org)) {
    const entity = doc.toJS();
    if (entity?.kind === 'User' && entity.spec?.profile?.email) {
      return {
        name: entity.metadata.name as string,
        email: entity.spec.profile.email as string,
      };
    }
  }
  throw new Error('catalog/org.yaml has no User with spec.profile.email');
}

function location(res: Response) {
  expect([302, 303]).toContain(res.status);
  return new URL(res.headers.get('location')!, env.oidc.issuer);
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

function authorizeUrl(params: Record<string, string>) {
  const url = new URL('/auth', env.oidc.issuer);
  url.search = new URLSearchParams({
    client_id: env.oidc.clientId,
    response_type: 'code',
    scope: 'openid profile email',
    redirect_uri: REDIRECT_URI,
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    ...params,
  }).toString();
  return url;
}

/** Authorization request up to the login form; returns the form's action. */
async function openLoginForm(browser: CookieJar, challenge: string) {
  const start = await browser.fetch(
    authorizeUrl({
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString(),
  );
  const interaction = location(start);
  expect(interaction.pathname).toMatch(/^\/interaction\//);
  const form = await browser.fetch(interaction.toString());
  expect(form.status).toBe(200);
  const html = await form.text();
  expect(html).toMatch(/<input[^>]+name="email"/);
  expect(html).toMatch(/<input[^>]+name="password"[^>]+type="password"/);
  const action = html.match(/<form method="post" action="([^"]+)"/)?.[1];
  expect(action).toBeDefined();
  return new URL(action!, env.oidc.issuer).toString();
}

function submit(
  browser: CookieJar,
  action: string,
  email: string,
  password: string,
) {
  return browser.fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password }).toString(),
  });
}

function tokenRequest(params: Record<string, string>) {
  const basic = Buffer.from(
    `${env.oidc.clientId}:${env.oidc.clientSecret}`,
  ).toString('base64');
  return fetch(new URL('/token', env.oidc.issuer), {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(params).toString(),
  });
}

/** Verifies an RS256 JWT against the provider's JWKS; returns its payload. */
async function verifiedClaims(jwt: string) {
  const [header, payload, signature] = jwt.split('.');
  const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString());
  expect(alg).toBe('RS256');
  const jwks = (await (
    await fetch(new URL('/jwks', env.oidc.issuer))
  ).json()) as { keys: Array<JsonWebKey & { kid: string }> };
  const jwk = jwks.keys.find(k => k.kid === kid);
  expect(jwk).toBeDefined();
  expect(jwk).not.toHaveProperty('d');
  const valid = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey({ key: jwk!, format: 'jwk' }),
    Buffer.from(signature, 'base64url'),
  );
  expect(valid).toBe(true);
  return JSON.parse(Buffer.from(payload, 'base64url').toString());
}

/** The whole flow for one account: login form, code, tokens. */
async function signIn(email: string) {
  const browser = new CookieJar();
  const { verifier, challenge } = pkce();
  const action = await openLoginForm(browser, challenge);
  const resume = location(
    await submit(browser, action, email, env.oidc.password),
  );
  expect(resume.origin).toBe(env.oidc.issuer);
  // Consent is granted to the first-party portal without a page.
  let callback = location(await browser.fetch(resume.toString()));
  for (let hops = 0; callback.origin === env.oidc.issuer && hops < 5; hops++) {
    callback = location(await browser.fetch(callback.toString()));
  }
  expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
  expect(callback.searchParams.get('iss')).toBe(env.oidc.issuer);
  const code = callback.searchParams.get('code');
  expect(code).toBeTruthy();
  return { code: code!, verifier };
}

describe('sandbox idp (OpenID Provider)', () => {
  const user = catalogUser();

  it('publishes its discovery document for the issuer', async () => {
    const res = await fetch(
      new URL('/.well-known/openid-configuration', env.oidc.issuer),
    );
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.issuer).toBe(env.oidc.issuer);
    expect(doc.authorization_endpoint).toBe(`${env.oidc.issuer}/auth`);
    expect(doc.token_endpoint).toBe(`${env.oidc.issuer}/token`);
    expect(doc.userinfo_endpoint).toBe(`${env.oidc.issuer}/me`);
    expect(doc.jwks_uri).toBe(`${env.oidc.issuer}/jwks`);
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.response_types_supported).toEqual(['code']);
    expect(doc.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email']),
    );
    expect(doc.claims_supported).toEqual(
      expect.arrayContaining(['email', 'email_verified', 'name']),
    );
  });

  it('signs a catalog user in through the login form: code + PKCE, an ID token with the email, userinfo, refresh', async () => {
    const { code, verifier } = await signIn(user.email);
    const res = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(res.status).toBe(200);
    const tokens = await res.json();
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.refresh_token).toBeTruthy();

    const claims = await verifiedClaims(tokens.id_token);
    expect(claims.iss).toBe(env.oidc.issuer);
    expect(claims.aud).toBe(env.oidc.clientId);
    expect(claims.sub).toBe(user.name);
    expect(claims.email).toBe(user.email);
    expect(claims.email_verified).toBe(true);

    const me = await fetch(new URL('/me', env.oidc.issuer), {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      sub: user.name,
      email: user.email,
      email_verified: true,
    });

    const refreshed = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    const renewed = await refreshed.json();
    expect((await verifiedClaims(renewed.id_token)).email).toBe(user.email);

    // The code is single use (and its reuse revokes what it gave).
    const again = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(again.status).toBe(400);
    expect((await again.json()).error).toBe('invalid_grant');
  });

  it('signs in stranger@example.com, who is in no catalog', async () => {
    const { code, verifier } = await signIn('stranger@example.com');
    const res = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(res.status).toBe(200);
    const claims = await verifiedClaims((await res.json()).id_token);
    expect(claims.email).toBe('stranger@example.com');
  });

  it('refuses a wrong password and an unknown email on the form, with a clear error', async () => {
    const browser = new CookieJar();
    const { challenge } = pkce();
    const action = await openLoginForm(browser, challenge);

    const wrong = await submit(
      browser,
      action,
      user.email,
      `${env.oidc.password}-not`,
    );
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('location')).toBeNull();
    expect(await wrong.text()).toContain(`Wrong password for ${user.email}.`);

    const unknown = await submit(
      browser,
      action,
      'nobody@example.com',
      env.oidc.password,
    );
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain(
      'No sandbox account has the email nobody@example.com',
    );

    // The same sign-in then succeeds with the right password.
    const right = await submit(browser, action, user.email, env.oidc.password);
    expect(location(right).origin).toBe(env.oidc.issuer);
  });

  it('refuses an authorization request without PKCE and a token request with the wrong verifier', async () => {
    const noPkce = await fetch(authorizeUrl({}), { redirect: 'manual' });
    const error = location(noPkce);
    expect(`${error.origin}${error.pathname}`).toBe(REDIRECT_URI);
    expect(error.searchParams.get('error')).toBe('invalid_request');
    expect(error.searchParams.get('error_description')).toMatch(/PKCE/);

    const { code } = await signIn(user.email);
    const res = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: pkce().verifier,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('invalid_grant');
  });

  it('refuses a redirect URI that is not the portal’s', async () => {
    const res = await fetch(
      authorizeUrl({
        redirect_uri: 'http://127.0.0.1:9999/callback',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('redirect_uri');
  });
});
