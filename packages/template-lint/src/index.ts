/**
 * Template lint: every software template's manifests, for every choice of its form, against the
 * EKS cluster definition.
 *
 * @packageDocumentation
 */
export {
  readClusterDefinition,
  GPUS_PER_INSTANCE,
  CHART_CUSTOM_RESOURCES,
} from './cluster';
export type {
  ClusterDefinition,
  DefinitionProblem,
  HelmRelease,
  KafkaCluster,
  NodeGroup,
} from './cluster';
export { lintTemplate, lintTemplates, parameterVariants } from './lint';
export type { LintError } from './lint';
