import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The Cluster Health page. */
export const rootRouteRef = createRouteRef();
