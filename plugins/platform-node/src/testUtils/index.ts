/**
 * Test helpers of the platform's backend plugins.
 *
 * @packageDocumentation
 */

export {
  ALLOWED_USER,
  DENIED_USER,
  denyingPolicyModule,
  startDenyingTestBackend,
} from './denyingPolicy';
export type {
  DenyOptions,
  StartDenyingTestBackendOptions,
} from './denyingPolicy';
export { freshPostgresDatabase, startReplica } from './replicas';
export type { FreshPostgresDatabase, StartReplicaOptions } from './replicas';
