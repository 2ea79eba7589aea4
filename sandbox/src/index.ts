/**
 * Helpers for integration tests that run against the sandbox.
 *
 * @packageDocumentation
 */
export { sandboxEnv } from './env';
export { kubeconfigToken, sandboxCluster } from './kubeconfig';
export { consumerGroupCommandLag } from './groupCommand';
export {
  WORKLOAD_GROUPS,
  WORKLOAD_TOPICS,
  commitGroupOffsets,
  ensureTopics,
  retrying,
} from './workload';
export { runLoad } from './model/load';
export { CookieJar, signInThroughPortal } from './portalSignIn';
export type { PortalIdentity } from './portalSignIn';
