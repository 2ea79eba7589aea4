import { createBackendModule } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  commonSignInResolvers,
  createOAuthProviderFactory,
  OAuthAuthenticatorResult,
  SignInResolver,
} from '@backstage/plugin-auth-node';
import {
  OidcAuthResult,
  oidcAuthenticator,
  oidcSignInResolvers,
} from '@backstage/plugin-auth-backend-module-oidc-provider';

const byProfileEmail =
  commonSignInResolvers.emailMatchingUserEntityProfileEmail();

/**
 * Signs in the catalog User whose `spec.profile.email` is the email the identity provider
 * vouched for (Backstage's `emailMatchingUserEntityProfileEmail`). The refusals are written
 * for the person at the sign-in page, who sees the message as it is: someone the catalog
 * does not know is told so and whom to ask, instead of Backstage's advice to check the
 * sign-in resolver.
 */
export const oidcCatalogUserResolver: SignInResolver<
  OAuthAuthenticatorResult<OidcAuthResult>
> = async (info, ctx) => {
  const email = info.profile.email;
  if (!email) {
    const claimed = info.result.fullProfile.userinfo.email;
    throw new NotAllowedError(
      claimed
        ? `Sign-in refused: the identity provider has not verified the email address ${claimed} (email_verified is not true).`
        : 'Sign-in refused: the identity provider sent no email address. The portal needs the "email" scope and claim to find you in its catalog.',
    );
  }
  try {
    return await byProfileEmail(info, ctx);
  } catch (error) {
    if ((error as Error)?.name === 'NotFoundError') {
      throw new NotAllowedError(
        `Sign-in refused: ${email} is not a user of this portal. No User in the catalog has this email; ` +
          'ask the platform team to add you (catalog/org.yaml).',
      );
    }
    throw error;
  }
};

/**
 * The `oidc` sign-in provider: `@backstage/plugin-auth-backend-module-oidc-provider`'s
 * authenticator (authorization code with PKCE, discovery from `metadataUrl`) with
 * {@link oidcCatalogUserResolver}. Configured under `auth.providers.oidc.<auth.environment>`;
 * `signIn.resolvers` there, if set, replaces the resolver with the module's named ones.
 */
export const authModulePlatformOidcProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'platform-oidc-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'oidc',
          factory: createOAuthProviderFactory({
            authenticator: oidcAuthenticator,
            signInResolver: oidcCatalogUserResolver,
            signInResolverFactories: { ...oidcSignInResolvers },
          }),
        });
      },
    });
  },
});
