import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
} from '@backstage/plugin-catalog-common/alpha';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import { mockCredentials } from '@backstage/backend-test-utils';
import { ragChatFeedbackExportPermission } from '@internal/plugin-rag-chat-common';
import {
  PLATFORM_ADMIN_GROUP,
  PlatformPermissionPolicy,
} from './permissionPolicy';

const userWith = (refs: string[]): PolicyQueryUser => ({
  credentials: mockCredentials.user(refs[0]),
  info: { userEntityRef: refs[0], ownershipEntityRefs: refs },
});

describe('PlatformPermissionPolicy', () => {
  const policy = new PlatformPermissionPolicy();
  const guest = userWith(['user:development/guest']);
  const admin = userWith(['user:default/alice.nguyen', PLATFORM_ADMIN_GROUP]);

  it('lets everyone read the catalog', async () => {
    await expect(
      policy.handle({ permission: catalogEntityReadPermission }, guest),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
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
