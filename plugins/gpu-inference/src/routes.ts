import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The GPU inference page. */
export const rootRouteRef = createRouteRef();
