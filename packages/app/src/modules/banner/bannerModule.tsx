import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { AppRootWrapperBlueprint } from '@backstage/plugin-app-react';
import { SandboxBannerWrapper } from './SandboxBanner';

/** Wraps the app's layout in the sandbox banner (`app.sandboxBanner`). */
const sandboxBanner = AppRootWrapperBlueprint.make({
  name: 'sandbox-banner',
  params: { component: SandboxBannerWrapper },
});

export const bannerModule = createFrontendModule({
  pluginId: 'app',
  extensions: [sandboxBanner],
});
