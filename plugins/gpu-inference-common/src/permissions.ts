import { createPermission } from '@backstage/plugin-permission-common';

/** Reading GPU capacity, use and model-server figures. */
export const gpuInferenceReadPermission = createPermission({
  name: 'gpu.inference.read',
  attributes: { action: 'read' },
});

/** Every permission of the plugin, registered with the permission framework by the backend. */
export const gpuInferencePermissions = [gpuInferenceReadPermission];
