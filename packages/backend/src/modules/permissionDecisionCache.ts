/*
 * coreServices.permissions as Backstage's default builds it (ServerPermissionClient), with
 * one addition: a user's ALLOW decision for a basic permission (one that names no resource)
 * is kept for `permission.decisionCache.allowSeconds` (default 10 s), so that the routes
 * every page polls (cluster health's /entity, Kafka lag's groups, the chat's ask) do not
 * make a round trip to the permission backend per request.
 *
 * The trade, as in kube-apiserver's webhook authorizer (--authorization-webhook-cache-
 * authorized-ttl): a permission taken away from a user still answers ALLOW for at most
 * that long. Nothing else is cached: a DENY is asked again every time (a permission just
 * granted works at once), and decisions about a resource (catalog entities, with the
 * policy's conditions) and for service principals (decided in-process anyway) pass
 * straight through. 0 turns the cache off.
 */
import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ServerPermissionClient } from '@backstage/plugin-permission-node';

const CONFIG_KEY = 'permission.decisionCache.allowSeconds';
const DEFAULT_ALLOW_SECONDS = 10;
/** Decisions kept per plugin at most; the oldest go first. */
const MAX_ENTRIES = 10_000;

type AuthorizeRequests = Parameters<PermissionsService['authorize']>[0];
type AuthorizeOptions = Parameters<PermissionsService['authorize']>[1];
type AuthorizeResponses = Awaited<ReturnType<PermissionsService['authorize']>>;

/** A PermissionsService that keeps users' ALLOW decisions on basic permissions for a while. */
export class PermissionDecisionCache implements PermissionsService {
  private readonly allowedUntil = new Map<string, number>();

  constructor(
    private readonly inner: PermissionsService,
    private readonly auth: AuthService,
    private readonly allowMs: number,
  ) {}

  /** Whose decision it is: a user, and the service acting for them if any; else none. */
  private callerKey(credentials: BackstageCredentials) {
    if (!this.auth.isPrincipal(credentials, 'user')) return undefined;
    const { userEntityRef, actor } = credentials.principal;
    return `${userEntityRef}\u0000${actor?.subject ?? ''}`;
  }

  authorizeConditional: PermissionsService['authorizeConditional'] = (
    queries,
    options,
  ) => this.inner.authorizeConditional(queries, options);

  async authorize(
    requests: AuthorizeRequests,
    options: AuthorizeOptions,
  ): Promise<AuthorizeResponses> {
    const caller = this.callerKey(options.credentials);
    if (!caller || requests.some(r => r.resourceRef !== undefined)) {
      return this.inner.authorize(requests, options);
    }
    const now = Date.now();
    const keys = requests.map(r => `${caller}\u0000${r.permission.name}`);
    const results: (AuthorizeResponses[number] | undefined)[] = keys.map(key =>
      (this.allowedUntil.get(key) ?? 0) > now
        ? { result: AuthorizeResult.ALLOW }
        : undefined,
    );
    const asked = keys.flatMap((_, i) => (results[i] ? [] : [i]));
    if (asked.length === 0) return results as AuthorizeResponses;

    const decided = await this.inner.authorize(
      asked.map(i => requests[i]),
      options,
    );
    asked.forEach((i, j) => {
      results[i] = decided[j];
      if (decided[j].result === AuthorizeResult.ALLOW) this.keep(keys[i], now);
    });
    return results as AuthorizeResponses;
  }

  private keep(key: string, now: number) {
    this.allowedUntil.delete(key); // re-inserted last: the map stays oldest first
    this.allowedUntil.set(key, now + this.allowMs);
    if (this.allowedUntil.size > MAX_ENTRIES) {
      for (const [old, until] of this.allowedUntil) {
        if (this.allowedUntil.size <= MAX_ENTRIES && until > now) break;
        this.allowedUntil.delete(old);
      }
    }
  }
}

/** Replaces the default coreServices.permissions: `backend.add(permissionsWithDecisionCache)`. */
export const permissionsWithDecisionCache = createServiceFactory({
  service: coreServices.permissions,
  deps: {
    auth: coreServices.auth,
    config: coreServices.rootConfig,
    discovery: coreServices.discovery,
  },
  async factory({ auth, config, discovery }) {
    const client = ServerPermissionClient.fromConfig(config, {
      auth,
      discovery,
    });
    const seconds =
      config.getOptionalNumber(CONFIG_KEY) ?? DEFAULT_ALLOW_SECONDS;
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new Error(
        `${CONFIG_KEY} must be a number of seconds, 0 or more (0 turns the cache off); got ${seconds}`,
      );
    }
    return seconds > 0
      ? new PermissionDecisionCache(client, auth, seconds * 1000)
      : client;
  },
});
