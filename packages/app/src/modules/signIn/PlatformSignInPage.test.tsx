import { BackstageIdentityResponse } from '@backstage/frontend-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConfigReader } from '@backstage/config';
import { configuredProviders, PlatformSignInPage } from './PlatformSignInPage';
import { oidcAuthApiRef } from './oidcAuthApi';

/** The oidc auth API as the sign-in page calls it: no session yet, then the popup's answer. */
function oidcApi(popup: () => Promise<BackstageIdentityResponse>) {
  return {
    getBackstageIdentity: jest.fn(async (options?: { optional?: boolean }) =>
      options?.optional ? undefined : popup(),
    ),
    getProfile: jest.fn(async () => ({ displayName: 'Bruno Costa' })),
    getIdToken: jest.fn(),
    signIn: jest.fn(),
    signOut: jest.fn(),
    sessionState$: jest.fn(),
  };
}

const refused = () =>
  Promise.reject(
    Object.assign(
      new Error(
        'Sign-in refused: stranger@example.com is not a user of this portal.',
      ),
      { name: 'NotAllowedError' },
    ),
  );

describe('PlatformSignInPage', () => {
  it('offers only the identity provider in production and shows a refusal on the page', async () => {
    const api = oidcApi(refused);
    await renderInTestApp(<PlatformSignInPage onSignInSuccess={jest.fn()} />, {
      config: {
        app: { title: 'Platform portal' },
        auth: { environment: 'production', providers: { oidc: {} } },
      },
      apis: [[oidcAuthApiRef, api]],
    });

    expect(
      await screen.findByText("Sign in with the platform's identity provider"),
    ).toBeVisible();
    expect(screen.queryByText(/guest/i)).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: /sign in/i }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Sign-in failed');
    expect(alert).toHaveTextContent(
      'Sign-in refused: stranger@example.com is not a user of this portal.',
    );
    expect(api.getBackstageIdentity).toHaveBeenCalledWith({
      instantPopup: true,
    });
  });

  it('signs in a known user through the identity provider', async () => {
    const onSignInSuccess = jest.fn();
    const api = oidcApi(async () => ({
      identity: {
        type: 'user' as const,
        userEntityRef: 'user:default/bruno.costa',
        ownershipEntityRefs: ['user:default/bruno.costa'],
      },
      token: 'a-token',
    }));
    await renderInTestApp(
      <PlatformSignInPage onSignInSuccess={onSignInSuccess} />,
      {
        config: {
          app: { title: 'Platform portal' },
          auth: { environment: 'production', providers: { oidc: {} } },
        },
        apis: [[oidcAuthApiRef, api]],
      },
    );
    await userEvent.click(
      await screen.findByRole('button', { name: /sign in/i }),
    );
    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    const identity = onSignInSuccess.mock.calls[0][0];
    expect((await identity.getBackstageIdentity()).userEntityRef).toBe(
      'user:default/bruno.costa',
    );
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says which keys to set when no provider is configured', async () => {
    await renderInTestApp(<PlatformSignInPage onSignInSuccess={jest.fn()} />, {
      config: { app: { title: 'Platform portal' } },
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'No sign-in provider is configured',
    );
    expect(screen.getByRole('alert')).toHaveTextContent('auth.providers.oidc');
  });

  it('offers guest where app-config.yaml has it and oidc where the production file has it', () => {
    const development = new ConfigReader({
      auth: { environment: 'development', providers: { guest: {} } },
    });
    expect(configuredProviders(development)).toEqual({
      guest: true,
      oidc: false,
    });
    // app-config.production.yaml over app-config.yaml: `guest: null` removes guest.
    const production = new ConfigReader(
      {
        auth: {
          environment: 'production',
          providers: { guest: null, oidc: {} },
        },
      },
      'production',
      development,
    );
    expect(configuredProviders(production)).toEqual({
      guest: false,
      oidc: true,
    });
  });
});
