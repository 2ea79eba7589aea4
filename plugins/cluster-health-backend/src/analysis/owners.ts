/* The owner chain and entity matching live in -node, shared with the GPU inference backend. */
export {
  KUBERNETES_ID_LABEL,
  kubernetesIdResolver,
  linkFor,
} from '@internal/plugin-cluster-health-node';
export type {
  EntityIndex,
  EntityLink,
} from '@internal/plugin-cluster-health-node';
