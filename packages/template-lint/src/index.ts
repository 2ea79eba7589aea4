/**
 * Template lint: every software template's manifests against the EKS cluster definition.
 *
 * @packageDocumentation
 */
export { readClusterDefinition, GPUS_PER_INSTANCE } from './cluster';
export type { ClusterDefinition, NodeGroup } from './cluster';
export { lintTemplate, lintTemplates } from './lint';
export type { LintError } from './lint';
