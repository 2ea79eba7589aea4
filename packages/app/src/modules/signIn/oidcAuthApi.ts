import { OAuth2 } from '@backstage/core-app-api';
import {
  ApiBlueprint,
  ApiRef,
  BackstageIdentityApi,
  configApiRef,
  createApiRef,
  discoveryApiRef,
  oauthRequestApiRef,
  OpenIdConnectApi,
  ProfileInfoApi,
  SessionApi,
} from '@backstage/frontend-plugin-api';

/** The platform's OpenID Provider: the backend's `oidc` auth provider (auth.providers.oidc). */
export const oidcAuthApiRef: ApiRef<
  OpenIdConnectApi & ProfileInfoApi & BackstageIdentityApi & SessionApi
> = createApiRef<
  OpenIdConnectApi & ProfileInfoApi & BackstageIdentityApi & SessionApi
>().with({ id: 'auth.platform.oidc' });

/** What the sign-in page and the settings' auth providers list call it. */
export const OIDC_PROVIDER = {
  id: 'oidc',
  title: 'Platform identity provider',
  message: "Sign in with the platform's identity provider",
};

/**
 * The OAuth2 client of the `oidc` provider: its popup opens
 * /api/auth/oidc/start?env=<auth.environment>, which sends the user to the IdP's own login
 * form (authorization code with PKCE; the backend holds the client secret).
 */
export const oidcAuthApi = ApiBlueprint.make({
  name: 'platform-oidc',
  params: defineParams =>
    defineParams({
      api: oidcAuthApiRef,
      deps: {
        discoveryApi: discoveryApiRef,
        oauthRequestApi: oauthRequestApiRef,
        configApi: configApiRef,
      },
      factory: ({ discoveryApi, oauthRequestApi, configApi }) =>
        OAuth2.create({
          configApi,
          discoveryApi,
          oauthRequestApi,
          provider: { ...OIDC_PROVIDER, icon: () => null },
          environment: configApi.getOptionalString('auth.environment'),
          defaultScopes: ['openid', 'profile', 'email'],
        }),
    }),
});
