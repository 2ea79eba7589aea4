/**
 * The platform chat for Backstage's new frontend system.
 *
 * @packageDocumentation
 */
import { ragChatPlugin } from './plugin';

export default ragChatPlugin;
export { ragChatApiRef, RagChatClient } from './api';
export type { RagChatApi } from './api';
export { rootRouteRef as ragChatRouteRef } from './routes';
