import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The chat page; `/sources/<id>` under it shows an indexed doc. */
export const rootRouteRef = createRouteRef();
