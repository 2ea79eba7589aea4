/**
 * Shared by the Kafka lag plugin's frontend and backend.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './autoscaling';
export * from './annotation';
export * from './permissions';
