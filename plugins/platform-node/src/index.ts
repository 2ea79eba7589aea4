/**
 * What the platform's backend plugins share: request parsing and the permission check of
 * their routers, and the permission policy's module. Test helpers are under
 * `@internal/platform-node/testUtils`.
 *
 * @packageDocumentation
 */

export { entityRefSchema, parseRequest } from './parseRequest';
export { createAuthorize } from './authorize';
export { createPermissionPolicyModule } from './policyModule';
export type {
  Authorize,
  AuthorizeRequest,
  CreateAuthorizeOptions,
} from './authorize';
