import { createPermission } from '@backstage/plugin-permission-common';

/** Reading the cluster health views (nodes, workloads, problems) of any cluster. */
export const clusterHealthReadPermission = createPermission({
  name: 'cluster.health.read',
  attributes: { action: 'read' },
});

export const clusterHealthPermissions = [clusterHealthReadPermission];
