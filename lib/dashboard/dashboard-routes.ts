// GET /dashboard and its assets, served by the gateway itself (local mode and
// the Lambda alike) from strings bundled with the code: nothing is fetched
// from elsewhere at run time. The page holds no data; its script reads the
// management API with the key the user signs in with. A strict content
// security policy allows this origin's script and styles only.
import type { GatewayRequest, Reply } from '../api/reply.ts';
import { clientActivity } from './client-activity.ts';
import { clientCharts } from './client-charts.ts';
import { clientCore } from './client-core.ts';
import { clientGenerations } from './client-generations.ts';
import { clientKeys } from './client-keys.ts';
import { clientProviders } from './client-providers.ts';
import { dashboardHtml, dashboardIcon } from './page-html.ts';
import { dashboardCss } from './page-style.ts';

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // The assets change with the deployment; a short cache keeps a new version a minute away.
  'cache-control': 'no-cache',
};

const dashboardScript = [clientCore, clientCharts, clientActivity, clientGenerations, clientProviders, clientKeys, '\nstart();\n'].join('\n');

const assets: Record<string, { type: string; body: string }> = {
  '/dashboard': { type: 'text/html; charset=utf-8', body: dashboardHtml },
  '/dashboard/app.js': { type: 'text/javascript; charset=utf-8', body: dashboardScript },
  '/dashboard/app.css': { type: 'text/css; charset=utf-8', body: dashboardCss },
  '/dashboard/icon.svg': { type: 'image/svg+xml', body: dashboardIcon },
};

export function dashboardRoute(request: GatewayRequest, pathname: string): Reply {
  const asset = assets[pathname === '/dashboard/' ? '/dashboard' : pathname];
  const headers = { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' };
  if (asset === undefined) return { status: 404, headers, body: 'Not found' };
  if (request.method !== 'GET' && request.method !== 'HEAD') return { status: 405, headers: { ...headers, allow: 'GET, HEAD' }, body: 'Method not allowed' };
  return { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': asset.type }, body: request.method === 'HEAD' ? null : asset.body };
}
