import {
  BackendFeature,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { PermissionPolicy } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

/**
 * A module of the permission backend (plugin `permission`) that sets the policy: the
 * portal's own, or a test's.
 *
 * @example
 * backend.add(createPermissionPolicyModule({
 *   moduleId: 'platform-policy',
 *   policy: new PlatformPermissionPolicy(),
 * }));
 */
export function createPermissionPolicyModule(options: {
  moduleId: string;
  policy: PermissionPolicy;
}): BackendFeature {
  const { moduleId, policy } = options;
  return createBackendModule({
    pluginId: 'permission',
    moduleId,
    register(env) {
      env.registerInit({
        deps: { policies: policyExtensionPoint },
        async init({ policies }) {
          policies.setPolicy(policy);
        },
      });
    },
  });
}
