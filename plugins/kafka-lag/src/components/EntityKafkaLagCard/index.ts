export { EntityKafkaLagCard } from './EntityKafkaLagCard';
export type { EntityKafkaLagCardProps } from './EntityKafkaLagCard';
