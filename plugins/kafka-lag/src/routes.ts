import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The Kafka lag page; a group's detail is `?group=<cluster>/<group>` on it. */
export const rootRouteRef = createRouteRef();
