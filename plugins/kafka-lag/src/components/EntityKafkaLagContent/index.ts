export { EntityKafkaLagContent } from './EntityKafkaLagContent';
