/**
 * Backend of the Kafka lag plugin.
 *
 * @packageDocumentation
 */
export { kafkaLagPlugin as default } from './plugin';
/** The sampler behind the plugin, for measuring it without a backend (bench/kafka-lag). */
export { KafkaSampler } from './service/KafkaSampler';
/** The store behind it, for writing synthetic history through its own write path (bench/kafka-lag). */
export { DatabaseLagStore } from './service/DatabaseLagStore';
export type { ClusterSnapshot, GroupSnapshot } from './service/types';
