/**
 * Shared by the cluster health plugin's frontend and backend.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './types';
export * from './permissions';
export * from './quantity';
export * from './controlPlane';
export * from './alerts';
