export { kafkaLagApiRef } from './KafkaLagApi';
export type { KafkaLagApi, GroupsResponse } from './KafkaLagApi';
export { KafkaLagClient } from './KafkaLagClient';
