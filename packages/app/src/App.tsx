import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';
import { homeModule } from './modules/home';
import { bannerModule } from './modules/banner';
import { signInModule } from './modules/signIn';

/**
 * The portal's frontend. Plugin packages that packages/app depends on are
 * discovered automatically (`app.packages: all` in app-config.yaml); only app
 * modules and plugins that need explicit wiring are listed here.
 */
export default createApp({
  features: [catalogPlugin, navModule, homeModule, bannerModule, signInModule],
});
