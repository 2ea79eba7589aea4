export { signInModule } from './signInModule';
export { oidcAuthApiRef } from './oidcAuthApi';
