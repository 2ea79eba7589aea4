/**
 * Backend of the Kafka lag plugin.
 *
 * @packageDocumentation
 */
export { kafkaLagPlugin as default } from './plugin';
