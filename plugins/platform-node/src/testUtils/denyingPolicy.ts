import { BackendFeature } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  isPermission,
  Permission,
} from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import { createPermissionPolicyModule } from '../policyModule';

/** A user the denying policy allows everything. */
export const ALLOWED_USER = 'user:default/alice';
/** The user the denying policy refuses the denied permission. */
export const DENIED_USER = 'user:default/bob';

/** What the policy refuses, and to whom. */
export interface DenyOptions {
  /** The permission refused. */
  permission: Permission;
  /** The user entity ref refused it; default {@link DENIED_USER}. */
  user?: string;
}

/**
 * A permission policy module (plugin `permission`) that denies one permission to one
 * user and allows everything else, for the real permission backend.
 */
export function denyingPolicyModule(options: DenyOptions): BackendFeature {
  const { permission, user = DENIED_USER } = options;
  return createPermissionPolicyModule({
    moduleId: 'test-denying-policy',
    policy: {
      async handle(req, caller) {
        const denied =
          isPermission(req.permission, permission) &&
          caller?.info.userEntityRef === user;
        return {
          result: denied ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
        };
      },
    },
  });
}

/** Options of {@link startDenyingTestBackend}. */
export interface StartDenyingTestBackendOptions {
  /** The plugin under test and whatever else it needs (a mock catalog, a scheduler). */
  features: Array<BackendFeature | Promise<{ default: BackendFeature }>>;
  /** The root config; `permission.enabled: true` is added. */
  config?: JsonObject;
  /** What the policy refuses, and to whom. */
  deny: DenyOptions;
}

/**
 * A test backend with the real permission backend, whose policy denies one permission
 * to one user ({@link DENIED_USER} unless named) and allows everything else. The plugin's
 * permissions service asks that backend over HTTP, as it does in the portal; the config
 * turns the permission framework on (without `permission.enabled` every request is
 * allowed without asking).
 *
 * @example
 * const { server } = await startDenyingTestBackend({
 *   features: [kafkaLagPlugin],
 *   config: { kafka: { clusters: [...] } },
 *   deny: { permission: kafkaLagReadPermission },
 * });
 * await request(server).get('/api/kafka-lag/clusters')
 *   .set('Authorization', mockCredentials.user.header(DENIED_USER)); // 403
 */
export async function startDenyingTestBackend(
  options: StartDenyingTestBackendOptions,
): Promise<TestBackend> {
  const config = options.config ?? {};
  const permission =
    typeof config.permission === 'object' &&
    config.permission !== null &&
    !Array.isArray(config.permission)
      ? config.permission
      : {};
  return startTestBackend({
    features: [
      ...options.features,
      permissionBackend,
      denyingPolicyModule(options.deny),
      mockServices.rootConfig.factory({
        data: { ...config, permission: { ...permission, enabled: true } },
      }),
    ],
  });
}
