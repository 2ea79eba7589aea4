/*
 * The sandbox's OpenID Provider, for the portal's real OIDC sign-in in production mode:
 * `oidc-provider` (an OpenID Certified implementation) with a login form of its own.
 *
 * - Issuer: --issuer (http://127.0.0.1:57300 from the part), listening on --port, 127.0.0.1.
 * - One confidential client, `portal` (secret: IDP_CLIENT_SECRET), authorization code flow
 *   with PKCE (S256) required, refresh tokens, scopes `openid profile email`; redirect URIs
 *   `<base>/api/auth/oidc/handler/frame` for each --portal-base.
 * - Accounts: every User of --org (catalog/org.yaml) with spec.profile.email, signing in with
 *   that email, plus stranger@example.com, who is in no catalog; one password for all
 *   (IDP_PASSWORD). Claims: sub (the User's name), email, email_verified, name,
 *   preferred_username; also in the ID token.
 * - Signing key and cookie keys are kept in --state-dir, so a restart keeps tokens valid;
 *   sessions, codes and grants live in memory.
 *
 * Run by `scripts/sandbox up idp`: node idp.ts (Node 22 strips the types).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { parseAllDocuments } from 'yaml';

export const STRANGER_EMAIL = 'stranger@example.com';

export type Account = {
  sub: string;
  email: string;
  name: string;
};

/** The catalog's Users that have an email, plus the stranger. */
export function loadAccounts(orgYaml: string): Account[] {
  const accounts: Account[] = [];
  for (const doc of parseAllDocuments(orgYaml)) {
    const entity = doc.toJS() as {
      kind?: string;
      metadata?: { name?: string };
      spec?: { profile?: { email?: string; displayName?: string } };
    } | null;
    const email = entity?.spec?.profile?.email;
    const name = entity?.metadata?.name;
    if (entity?.kind !== 'User' || !email || !name) continue;
    accounts.push({
      sub: name,
      email: email.toLowerCase(),
      name: entity.spec?.profile?.displayName ?? name,
    });
  }
  accounts.push({ sub: 'stranger', email: STRANGER_EMAIL, name: 'A Stranger' });
  return accounts;
}

function escapeHtml(text: string) {
  return text.replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[
        c
      ]!),
  );
}

function page(title: string, body: string) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }
  main { max-width: 24rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; }
  h1 { font-size: 1.3rem; margin-top: 0; }
  label { display: block; margin: 1rem 0 0.3rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: 0.5rem; font-size: 1rem; }
  button { margin-top: 1.5rem; width: 100%; padding: 0.6rem; font-size: 1rem; background: #1f5493; color: #fff; border: 0; border-radius: 4px; }
  .error { background: #fdecea; color: #8a1c12; padding: 0.7rem; border-radius: 4px; }
  .hint { color: #555; font-size: 0.85rem; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function loginForm(options: {
  uid: string;
  clientId: string;
  email?: string;
  error?: string;
}) {
  const { uid, clientId, email = '', error } = options;
  return page(
    'Sign in to the platform portal',
    `<h1>Sign in to the platform portal</h1>
<p class="hint">Sandbox identity provider; client <code>${escapeHtml(
      clientId,
    )}</code>.</p>
${
  error
    ? `<p class="error" role="alert" id="login-error">${escapeHtml(error)}</p>`
    : ''
}
<form method="post" action="/interaction/${escapeHtml(
      uid,
    )}/login" autocomplete="off">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" required autofocus value="${escapeHtml(
    email,
  )}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <button type="submit">Sign in</button>
</form>
<p class="hint">Accounts: the email of any User in catalog/org.yaml, or ${STRANGER_EMAIL} (not in the catalog).
The password is the sandbox's: SANDBOX_OIDC_PASSWORD in <code>scripts/sandbox env</code>.</p>`,
  );
}

async function readForm(req: IncomingMessage) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, html: string) {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(html);
}

/** Signing key and cookie keys, created once and kept in the state directory. */
function loadKeys(stateDir: string) {
  const file = join(stateDir, 'keys.json');
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')) as {
      jwks: { keys: Record<string, unknown>[] };
      cookieKeys: string[];
    };
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const keys = {
    jwks: {
      keys: [
        {
          ...jwk,
          kid: `sandbox-${randomBytes(6).toString('hex')}`,
          alg: 'RS256',
          use: 'sig',
        },
      ],
    },
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

export type IdpOptions = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  password: string;
  portalBases: string[];
  accounts: Account[];
  stateDir: string;
};

export function createIdp(options: IdpOptions) {
  const { issuer, clientId, clientSecret, password, accounts } = options;
  const bySub = new Map(accounts.map(a => [a.sub, a]));
  const byEmail = new Map(accounts.map(a => [a.email, a]));
  const keys = loadKeys(options.stateDir);

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: options.portalBases.map(
          base => `${base}/api/auth/oidc/handler/frame`,
        ),
        post_logout_redirect_uris: options.portalBases,
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    responseTypes: ['code'],
    jwks: keys.jwks as Configuration['jwks'],
    cookies: { keys: keys.cookieKeys },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    // The portal reads the email from the ID token as well as from userinfo.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    // The portal's client may refresh its session without offline_access (Backstage asks
    // for `openid profile email` only).
    issueRefreshToken: async (_ctx, client) =>
      client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Grant: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
    },
    interactions: {
      url: (_ctx: KoaContextWithOIDC, interaction) =>
        `/interaction/${interaction.uid}`,
    },
    findAccount: async (_ctx, sub) => {
      const account = bySub.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: account.email,
          email_verified: true,
          name: account.name,
          preferred_username: sub,
        }),
      };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in error',
        `<h1>Sign-in error</h1><p class="error">${escapeHtml(
          String(out.error),
        )}: ${escapeHtml(String(out.error_description ?? ''))}</p>`,
      );
    },
  };

  const provider = new Provider(issuer, configuration);

  /** The portal is first party: it gets the scopes and claims it asks for. */
  async function grantFor(
    accountId: string,
    details: Awaited<ReturnType<typeof provider.interactionDetails>>,
  ) {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({
          accountId,
          clientId: String(details.params.client_id),
        });
    if (!grant) throw new Error('grant not found');
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const missing = details.prompt.details as {
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCClaims)
      grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(
      missing.missingResourceScopes ?? {},
    )) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    return grant.save();
  }

  async function handleInteraction(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', issuer);
    const match = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!match) return false;
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      send(
        res,
        400,
        page(
          'Sign-in expired',
          '<h1>This sign-in has expired</h1><p class="error">The sign-in attempt is unknown or its cookie is missing. Start again from the portal.</p>',
        ),
      );
      return true;
    }
    const requestingClient = String(details.params.client_id);
    if (details.prompt.name === 'consent' && details.session?.accountId) {
      const grantId = await grantFor(details.session.accountId, details);
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return true;
    }
    if (req.method === 'GET' && !match[2]) {
      send(
        res,
        200,
        loginForm({ uid: details.uid, clientId: requestingClient }),
      );
      return true;
    }
    if (req.method !== 'POST' || !match[2]) {
      send(res, 405, page('Not allowed', '<h1>Method not allowed</h1>'));
      return true;
    }
    const form = await readForm(req);
    const email = (form.get('email') ?? '').trim().toLowerCase();
    const account = byEmail.get(email);
    let error: string | undefined;
    if (!email) {
      error = 'Enter the email of your account.';
    } else if (!account) {
      error = `No sandbox account has the email ${email}: use the email of a User in catalog/org.yaml, or ${STRANGER_EMAIL}.`;
    } else if (form.get('password') !== password) {
      error = `Wrong password for ${email}.`;
    }
    if (error || !account) {
      console.log(`login refused for ${email || '(no email)'}: ${error}`);
      send(
        res,
        401,
        loginForm({
          uid: details.uid,
          clientId: requestingClient,
          email,
          error,
        }),
      );
      return true;
    }
    console.log(`login ${account.email} (sub ${account.sub})`);
    const grantId = await grantFor(account.sub, details);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
    return true;
  }

  const callback = provider.callback();
  const server = createServer((req, res) => {
    handleInteraction(req, res)
      .then(handled => {
        if (!handled) callback(req, res);
      })
      .catch(err => {
        console.error('interaction failed:', err);
        if (!res.headersSent) {
          send(
            res,
            500,
            page(
              'Sign-in error',
              `<h1>Sign-in error</h1><p class="error">${escapeHtml(
                String(err?.message ?? err),
              )}</p>`,
            ),
          );
        } else res.end();
      });
  });
  return { provider, server };
}

function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '57300' },
      issuer: { type: 'string' },
      org: { type: 'string' },
      'state-dir': { type: 'string' },
      'portal-base': { type: 'string', multiple: true },
      'client-id': { type: 'string', default: 'portal' },
    },
  });
  const need = (name: string, value: string | undefined) => {
    if (!value) {
      console.error(`idp: ${name} is required`);
      process.exit(2);
    }
    return value;
  };
  const port = Number(values.port);
  const issuer = values.issuer ?? `http://127.0.0.1:${port}`;
  const orgFile = need('--org (the catalog file with the Users)', values.org);
  const accounts = loadAccounts(readFileSync(orgFile, 'utf8'));
  const { server } = createIdp({
    issuer,
    clientId: values['client-id']!,
    clientSecret: need(
      'IDP_CLIENT_SECRET (environment)',
      process.env.IDP_CLIENT_SECRET,
    ),
    password: need('IDP_PASSWORD (environment)', process.env.IDP_PASSWORD),
    portalBases: values['portal-base'] ?? [],
    accounts,
    stateDir: need('--state-dir', values['state-dir']),
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(
      `idp listening on http://127.0.0.1:${port} (issuer ${issuer}), ${accounts.length} accounts from ${orgFile}`,
    );
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// Run as a script (node idp.ts), not when imported.
if (process.argv[1]?.endsWith('idp.ts')) main();
