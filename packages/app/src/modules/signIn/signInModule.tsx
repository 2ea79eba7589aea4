import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { oidcAuthApi } from './oidcAuthApi';

/** Replaces the app's default (guest only) sign-in page. */
const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () =>
      import('./PlatformSignInPage').then(m => m.PlatformSignInPage),
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [oidcAuthApi, signInPage],
});
