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
