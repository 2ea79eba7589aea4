import {
  BackstageCredentials,
  BackstagePrincipalTypes,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';

/** The request type `httpAuth.credentials` takes (an Express request). */
export type AuthorizeRequest = Parameters<HttpAuthService['credentials']>[0];

/**
 * Checks a basic permission for the caller of a request and returns the caller's
 * credentials (for reads made on the caller's behalf, such as the catalog's). A policy
 * that does not allow it throws `NotAllowedError` (answered 403 with only the error).
 * Without a permission argument the authorizer's default permission is checked.
 */
export type Authorize<TAllowed extends keyof BackstagePrincipalTypes> = (
  req: AuthorizeRequest,
  permission?: BasicPermission,
) => Promise<BackstageCredentials<BackstagePrincipalTypes[TAllowed]>>;

/** Options of {@link createAuthorize}. */
export interface CreateAuthorizeOptions<
  TAllowed extends keyof BackstagePrincipalTypes,
> {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  /** The permission checked when a route names none, e.g. the plugin's read permission. */
  permission: BasicPermission;
  /**
   * The principal types accepted, as in `httpAuth.credentials(req, { allow })`
   * (e.g. `['user']` where the route needs a user); default: whatever the route's
   * auth policy lets through.
   */
  allow?: TAllowed[];
  /**
   * The denied caller's message: a text, or one made from the permission; default
   * `Not allowed: <permission name>`.
   */
  notAllowedMessage?: string | ((permission: BasicPermission) => string);
}

/**
 * One permission check for every route of a router.
 *
 * @example
 * const authorize = createAuthorize({
 *   httpAuth,
 *   permissions,
 *   permission: kafkaLagReadPermission,
 *   notAllowedMessage: 'Not allowed to read Kafka consumer lag',
 * });
 * router.get('/clusters', async (req, res) => {
 *   const credentials = await authorize(req);
 *   ...
 * });
 */
export function createAuthorize<
  TAllowed extends keyof BackstagePrincipalTypes = 'unknown',
>(options: CreateAuthorizeOptions<TAllowed>): Authorize<TAllowed> {
  const { httpAuth, permissions, allow, notAllowedMessage } = options;
  const message = (permission: BasicPermission) => {
    if (typeof notAllowedMessage === 'function') {
      return notAllowedMessage(permission);
    }
    return notAllowedMessage ?? `Not allowed: ${permission.name}`;
  };
  return async (req, permission = options.permission) => {
    const credentials = await httpAuth.credentials<TAllowed>(
      req,
      allow ? { allow } : undefined,
    );
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(message(permission));
    }
    return credentials;
  };
}
