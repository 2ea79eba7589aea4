/**
 * The platform's scaffolder actions (default export) and the catalog module that reads what
 * platform:publish:local wrote (named export).
 *
 * @packageDocumentation
 */
export { scaffolderModulePlatform as default } from './module';
export { catalogModulePlatformLocalPublish } from './module';
export { createKafkaTopicAction } from './actions/kafkaTopicCreate';
export {
  createKubernetesApplyAction,
  createNamespaceEnsureAction,
} from './actions/kubernetesApply';
export { createPublishLocalAction } from './actions/publishLocal';
export { createValidateAction } from './actions/validate';
export { PlatformClients } from './clients';
