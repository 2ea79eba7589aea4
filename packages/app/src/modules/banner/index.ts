export { bannerModule } from './bannerModule';
export { SandboxBanner } from './SandboxBanner';
