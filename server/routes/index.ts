/**
 * Every route of the hub, one file per resource. The app mounts exactly these (server/app.ts)
 * and the OpenAPI document describes exactly these (server/openapi.ts).
 * A route not in this table is not served and not described; nothing mounts a route elsewhere.
 */
import type { RouteSpec } from '../http/route.ts';
import { authenticityRoutes } from './authenticity.ts';
import { evidenceRoutes } from './evidence.ts';
import { hubRoutes } from './hub.ts';
import { memberRoutes } from './members.ts';
import { openApiRoutes } from './openapi.ts';
import { oralRequestRoutes } from './oral-requests.ts';
import { packetRoutes } from './packets.ts';
import { partRoutes } from './parts.ts';
import { purposeChangeRoutes } from './purpose-changes.ts';
import { releaseRoutes } from './releases.ts';
import { requestRoutes } from './requests.ts';
import { sessionRoutes } from './sessions.ts';

export const ROUTES: readonly RouteSpec[] = [
  ...hubRoutes,
  ...sessionRoutes,
  ...memberRoutes,
  ...packetRoutes,
  ...partRoutes,
  ...releaseRoutes,
  ...evidenceRoutes,
  ...requestRoutes,
  ...oralRequestRoutes,
  ...authenticityRoutes,
  ...purposeChangeRoutes,
  ...openApiRoutes(() => ROUTES),
];
