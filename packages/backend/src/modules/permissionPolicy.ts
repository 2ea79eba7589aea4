import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
  isPermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogEntityDeletePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import { ragChatFeedbackExportPermission } from '@internal/plugin-rag-chat-common';

/** The group whose members may remove things from the catalog. */
export const PLATFORM_ADMIN_GROUP = 'group:default/platform-team';

/**
 * One rule of the platform's policy: returns a decision for the requests it is
 * about, and undefined for the others. The first rule that decides wins.
 */
export type PlatformPolicyRule = (
  request: PolicyQuery,
  user: PolicyQueryUser | undefined,
) => PolicyDecision | undefined;

const isPlatformAdmin = (user: PolicyQueryUser | undefined) =>
  user?.info.ownershipEntityRefs.includes(PLATFORM_ADMIN_GROUP) ?? false;

/** Removing entities or locations is for the platform team only. */
const catalogRemovalRule: PlatformPolicyRule = (request, user) => {
  if (
    isPermission(request.permission, catalogEntityDeletePermission) ||
    isPermission(request.permission, catalogLocationDeletePermission)
  ) {
    return {
      result: isPlatformAdmin(user)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    };
  }
  return undefined;
};

/**
 * Exported chat feedback carries other people's questions and the passages they were
 * shown, so only the platform team (who turn it into regression cases) may export it.
 */
const chatFeedbackExportRule: PlatformPolicyRule = (request, user) => {
  if (isPermission(request.permission, ragChatFeedbackExportPermission)) {
    return {
      result: isPlatformAdmin(user)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    };
  }
  return undefined;
};

/**
 * The portal's permission policy. Plugins add their rules to `PLATFORM_RULES`
 * (e.g. who may read restricted docs in the chat); anything no rule decides is
 * allowed, which is what every engineer browsing the portal expects.
 */
export const PLATFORM_RULES: PlatformPolicyRule[] = [
  catalogRemovalRule,
  chatFeedbackExportRule,
];

export class PlatformPermissionPolicy implements PermissionPolicy {
  constructor(private readonly rules: PlatformPolicyRule[] = PLATFORM_RULES) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    for (const rule of this.rules) {
      const decision = rule(request, user);
      if (decision) {
        return decision;
      }
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export const platformPermissionPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'platform-policy',
  register(env) {
    env.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new PlatformPermissionPolicy());
      },
    });
  },
});
