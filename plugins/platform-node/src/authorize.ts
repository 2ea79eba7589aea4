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
export type Authorize<TAllowed extends keyof BackstagePrincipalTypes> = {
  (req: AuthorizeRequest, permission?: BasicPermission): Promise<
    BackstageCredentials<BackstagePrincipalTypes[TAllowed]>
  >;
  /**
   * The two halves, for a route that does other work while the decision is on its way
   * (the permission backend is an HTTP round trip): the caller's credentials, and then the
   * decision for them, which rejects with `NotAllowedError` as above. Such a route sends
   * and stores nothing before `check` has resolved.
   */
  credentials(
    req: AuthorizeRequest,
  ): Promise<BackstageCredentials<BackstagePrincipalTypes[TAllowed]>>;
  check(
    credentials: BackstageCredentials,
    permission?: BasicPermission,
  ): Promise<void>;
};

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
  const credentials = (req: AuthorizeRequest) =>
    httpAuth.credentials<TAllowed>(req, allow ? { allow } : undefined);
  const check = async (
    caller: BackstageCredentials,
    permission = options.permission,
  ) => {
    const [decision] = await permissions.authorize([{ permission }], {
      credentials: caller,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(message(permission));
    }
  };
  const authorize = async (
    req: AuthorizeRequest,
    permission?: BasicPermission,
  ) => {
    const caller = await credentials(req);
    await check(caller, permission);
    return caller;
  };
  return Object.assign(authorize, { credentials, check });
}
