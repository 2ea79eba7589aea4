import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
} from '@backstage/plugin-catalog-common/alpha';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import { mockCredentials } from '@backstage/backend-test-utils';
import { clusterHealthReadPermission } from '@internal/plugin-cluster-health-common';
import { gpuInferenceReadPermission } from '@internal/plugin-gpu-inference-common';
import { kafkaLagReadPermission } from '@internal/plugin-kafka-lag-common';
import {
  ragChatAskPermission,
  ragChatFeedbackExportPermission,
} from '@internal/plugin-rag-chat-common';
import {
  PLATFORM_ADMIN_GROUP,
  PlatformPermissionPolicy,
  RESTRICTED_ANNOTATION,
} from './permissionPolicy';

const userWith = (refs: string[]): PolicyQueryUser => ({
  credentials: mockCredentials.user(refs[0]),
  info: { userEntityRef: refs[0], ownershipEntityRefs: refs },
});

describe('PlatformPermissionPolicy', () => {
  const policy = new PlatformPermissionPolicy();
  const guest = userWith(['user:development/guest']);
  const admin = userWith(['user:default/alice.nguyen', PLATFORM_ADMIN_GROUP]);

  it('lets everyone read the catalog but a restricted entity, which only its owners may read', async () => {
    const restricted = {
      rule: 'HAS_ANNOTATION',
      resourceType: 'catalog-entity',
      params: { annotation: RESTRICTED_ANNOTATION, value: 'true' },
    };
    await expect(
      policy.handle({ permission: catalogEntityReadPermission }, guest),
    ).resolves.toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        anyOf: [
          { not: restricted },
          {
            rule: 'IS_ENTITY_OWNER',
            resourceType: 'catalog-entity',
            params: { claims: ['user:development/guest'] },
          },
        ],
      },
    });
    // Without a user there is no owner to match: restricted entities are not readable.
    await expect(
      policy.handle({ permission: catalogEntityReadPermission }, undefined),
    ).resolves.toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: { not: restricted },
    });
  });

  it.each([
    clusterHealthReadPermission,
    kafkaLagReadPermission,
    gpuInferenceReadPermission,
    ragChatAskPermission,
  ])('lets signed-in users, and only them, have $name', async permission => {
    await expect(policy.handle({ permission }, guest)).resolves.toEqual({
      result: AuthorizeResult.ALLOW,
    });
    await expect(policy.handle({ permission }, undefined)).resolves.toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('lets only the platform team delete entities', async () => {
    await expect(
      policy.handle({ permission: catalogEntityDeletePermission }, guest),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy.handle({ permission: catalogEntityDeletePermission }, admin),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('lets only the platform team export chat feedback', async () => {
    await expect(
      policy.handle({ permission: ragChatFeedbackExportPermission }, guest),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy.handle({ permission: ragChatFeedbackExportPermission }, admin),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('takes the first rule that decides', async () => {
    const deny = new PlatformPermissionPolicy([
      () => undefined,
      () => ({ result: AuthorizeResult.DENY }),
      () => ({ result: AuthorizeResult.ALLOW }),
    ]);
    await expect(
      deny.handle({ permission: catalogEntityReadPermission }, guest),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });
});
