/**
 * Backend of the Kafka lag plugin.
 *
 * @packageDocumentation
 */
export { kafkaLagPlugin as default } from './plugin';
/** The sampler behind the plugin, for measuring it without a backend (bench/kafka-lag). */
export { KafkaSampler } from './service/KafkaSampler';
