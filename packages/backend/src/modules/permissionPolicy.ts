import {
  AuthorizeResult,
  BasicPermission,
  PolicyDecision,
  isPermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { clusterHealthReadPermission } from '@internal/plugin-cluster-health-common';
import { gpuInferenceReadPermission } from '@internal/plugin-gpu-inference-common';
import { kafkaLagReadPermission } from '@internal/plugin-kafka-lag-common';
import {
  ragChatAskPermission,
  ragChatFeedbackExportPermission,
} from '@internal/plugin-rag-chat-common';
import { createPermissionPolicyModule } from '@internal/platform-node';

/** The group whose members may remove things from the catalog. */
export const PLATFORM_ADMIN_GROUP = 'group:default/platform-team';

/**
 * An entity annotated `ml-platform.io/restricted: 'true'` is readable only by its owners
 * (the members of its owning group), in the catalog and everywhere that reads the catalog
 * with the asker's credentials: the chat's retrieval, cluster health's entity links.
 */
export const RESTRICTED_ANNOTATION = 'ml-platform.io/restricted';

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
 * Reading the catalog: every entity, except a restricted one (RESTRICTED_ANNOTATION),
 * which only its owners may read. A conditional decision, so the catalog filters lists
 * and single reads itself with its own permission rules (hasAnnotation, isEntityOwner).
 */
const restrictedEntityRule: PlatformPolicyRule = (request, user) => {
  if (!isPermission(request.permission, catalogEntityReadPermission)) {
    return undefined;
  }
  const notRestricted = {
    not: catalogConditions.hasAnnotation({
      annotation: RESTRICTED_ANNOTATION,
      value: 'true',
    }),
  };
  const claims = user?.info.ownershipEntityRefs ?? [];
  return createCatalogConditionalDecision(
    request.permission,
    claims.length > 0
      ? { anyOf: [notRestricted, catalogConditions.isEntityOwner({ claims })] }
      : notRestricted,
  );
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
 * The platform plugins' read permissions, decided here rather than by the default:
 * every signed-in user may read cluster health, Kafka lag and GPU inference figures and
 * ask the chat (what the chat may quote is decided per passage by the catalog's read
 * permission above). A request without a signed-in user is denied.
 */
export const SIGNED_IN_READ_PERMISSIONS: BasicPermission[] = [
  clusterHealthReadPermission,
  kafkaLagReadPermission,
  gpuInferenceReadPermission,
  ragChatAskPermission,
];

const signedInReadRule: PlatformPolicyRule = (request, user) => {
  if (
    SIGNED_IN_READ_PERMISSIONS.some(p => isPermission(request.permission, p))
  ) {
    return { result: user ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  }
  return undefined;
};

/**
 * The portal's permission policy, rule by rule: removing from the catalog and exporting
 * chat feedback are for the platform team; a restricted entity is readable by its owners
 * only; the platform plugins' read permissions are for signed-in users. Anything no rule
 * decides is allowed, which is what every engineer browsing the portal expects.
 */
export const PLATFORM_RULES: PlatformPolicyRule[] = [
  catalogRemovalRule,
  restrictedEntityRule,
  chatFeedbackExportRule,
  signedInReadRule,
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

export const platformPermissionPolicy = createPermissionPolicyModule({
  moduleId: 'platform-policy',
  policy: new PlatformPermissionPolicy(),
});
