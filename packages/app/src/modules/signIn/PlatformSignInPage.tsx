import {
  Content,
  Header,
  Page,
  SignInPage,
  SignInProviderConfig,
} from '@backstage/core-components';
import { Config } from '@backstage/config';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import { OIDC_PROVIDER, oidcAuthApiRef } from './oidcAuthApi';

const oidcProvider: SignInProviderConfig = {
  ...OIDC_PROVIDER,
  apiRef: oidcAuthApiRef,
};

/** A refused or failed sign-in, in the words the backend gave (never a stack trace). */
export function SignInError({ error }: { error?: Error }) {
  if (!error) return null;
  return (
    <Alert severity="error" role="alert" sx={{ mt: 2 }}>
      <AlertTitle>Sign-in failed</AlertTitle>
      {error.message}
    </Alert>
  );
}

/** Which sign-in providers the configuration has (only their keys reach the frontend). */
export function configuredProviders(config: Config): {
  guest: boolean;
  oidc: boolean;
} {
  const providers = config.getOptionalConfig('auth.providers');
  return {
    guest: providers?.has('guest') ?? false,
    oidc: providers?.has('oidc') ?? false,
  };
}

/**
 * The sign-in page, offering the providers present in config: guest where
 * `auth.providers.guest` is set (development, app-config.yaml) and the platform's identity
 * provider where `auth.providers.oidc` is (production). With only the identity provider it
 * is a single card whose refusal (e.g. a user the catalog lacks) is shown on the card.
 */
export function PlatformSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  const { guest, oidc } = configuredProviders(config);

  if (oidc && !guest) {
    return (
      <SignInPage
        {...props}
        provider={oidcProvider}
        ErrorComponent={SignInError}
      />
    );
  }
  if (guest || oidc) {
    return (
      <SignInPage
        {...props}
        providers={[
          ...(guest ? (['guest'] as const) : []),
          ...(oidc ? [oidcProvider] : []),
        ]}
      />
    );
  }
  return (
    <Page themeId="home">
      <Header title={config.getOptionalString('app.title') ?? 'Portal'} />
      <Content>
        <Alert severity="error" role="alert">
          <AlertTitle>No sign-in provider is configured</AlertTitle>
          Set auth.providers.oidc (production, see app-config.production.yaml)
          or auth.providers.guest (development) in the portal's configuration.
        </Alert>
      </Content>
    </Page>
  );
}
