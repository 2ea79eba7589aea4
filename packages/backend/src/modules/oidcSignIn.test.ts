import { NotFoundError } from '@backstage/errors';
import { AuthResolverContext } from '@backstage/plugin-auth-node';
import { oidcCatalogUserResolver } from './oidcSignIn';

/** Users as catalog/org.yaml has them: name and spec.profile.email. */
const users = [
  { name: 'alice.nguyen', email: 'alice.nguyen@example.com' },
  { name: 'bruno.costa', email: 'bruno.costa@example.com' },
];

/**
 * The part of the resolver context the resolver uses, answering from `users` the way
 * Backstage's catalog lookup does (NotFoundError when no User matches the filter).
 */
function context() {
  const queries: unknown[] = [];
  const ctx = {
    async signInWithCatalogUser(query: any) {
      queries.push(query);
      const email = query.filter?.['spec.profile.email'];
      const user = users.find(u => u.email === email);
      if (!user) throw new NotFoundError('User not found');
      return { token: `token-for-user:default/${user.name}` };
    },
  } as unknown as AuthResolverContext;
  return { ctx, queries };
}

function info(userinfo: { email?: string; email_verified?: boolean }) {
  return {
    profile: {
      email: userinfo.email_verified === true ? userinfo.email : undefined,
    },
    result: {
      fullProfile: { userinfo: { sub: 'x', ...userinfo }, tokenset: {} },
      session: {},
    },
  } as any;
}

describe('oidcCatalogUserResolver', () => {
  it('signs in the catalog User whose profile email is the verified email', async () => {
    const { ctx, queries } = context();
    await expect(
      oidcCatalogUserResolver(
        info({ email: 'bruno.costa@example.com', email_verified: true }),
        ctx,
      ),
    ).resolves.toEqual({ token: 'token-for-user:default/bruno.costa' });
    expect(queries).toEqual([
      { filter: { 'spec.profile.email': 'bruno.costa@example.com' } },
    ]);
  });

  it('refuses an email the catalog lacks, naming it and whom to ask', async () => {
    const { ctx } = context();
    const refusal = oidcCatalogUserResolver(
      info({ email: 'stranger@example.com', email_verified: true }),
      ctx,
    );
    await expect(refusal).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'Sign-in refused: stranger@example.com is not a user of this portal. No User in the ' +
        'catalog has this email; ask the platform team to add you (catalog/org.yaml).',
    });
  });

  it('refuses an email the identity provider has not verified', async () => {
    const { ctx, queries } = context();
    await expect(
      oidcCatalogUserResolver(
        info({ email: 'alice.nguyen@example.com', email_verified: false }),
        ctx,
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'has not verified the email address alice.nguyen@example.com',
      ),
    });
    expect(queries).toEqual([]);
  });

  it('refuses a sign-in without an email claim', async () => {
    const { ctx } = context();
    await expect(oidcCatalogUserResolver(info({}), ctx)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('sent no email address'),
    });
  });
});
