// The routes the dashboard adds to the app: the page and its assets
// (lib/dashboard), and the management API's read endpoints it draws from.
// app.ts spreads `dashboardApiRoutes` into its table, so each is served under
// `/api/v1` and `/v1` like every other route.
import { json, type GatewayRequest, type Reply } from '../api/reply.ts';
import type { GatewayDeps } from '../pipeline/deps.ts';
import { activityRoute, activitySummaryRoute } from './activity-route.ts';
import { generationsListRoute } from './generations-list-route.ts';
import { providersHealthRoute } from './providers-health-route.ts';
import { listProviders } from './providers-route.ts';

type DashboardApiRoute = (request: GatewayRequest, url: URL, deps: GatewayDeps) => Promise<Reply> | Reply;

export const dashboardApiRoutes: [method: string, path: string, route: DashboardApiRoute][] = [
  ['GET', '/activity', (request, url, deps) => activityRoute(request, url, deps)],
  ['GET', '/activity/summary', (request, url, deps) => activitySummaryRoute(request, url, deps)],
  ['GET', '/generations', (request, url, deps) => generationsListRoute(request, url, deps)],
  ['GET', '/providers', (_request, _url, deps) => json(listProviders(deps.catalog))],
  ['GET', '/providers/health', (request, _url, deps) => providersHealthRoute(request, deps)],
];
