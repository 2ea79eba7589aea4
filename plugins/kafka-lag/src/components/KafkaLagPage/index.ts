export { KafkaLagPage, ConsumerGroupsOverview } from './KafkaLagPage';
