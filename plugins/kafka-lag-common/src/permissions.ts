import { createPermission } from '@backstage/plugin-permission-common';

/** Reading consumer-group lag figures of any cluster. */
export const kafkaLagReadPermission = createPermission({
  name: 'kafka.lag.read',
  attributes: { action: 'read' },
});

export const kafkaLagPermissions = [kafkaLagReadPermission];
