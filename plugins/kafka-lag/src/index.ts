/**
 * Kafka consumer-group lag for Backstage's new frontend system.
 *
 * Only the plugin and its API are exported: the page, card and tab are loaded
 * lazily by the plugin's extensions.
 *
 * @packageDocumentation
 */
import { kafkaLagPlugin } from './plugin';

export default kafkaLagPlugin;
export { kafkaLagApiRef, KafkaLagClient } from './api';
export type { KafkaLagApi, GroupsResponse } from './api';
export { rootRouteRef as kafkaLagRouteRef } from './routes';
