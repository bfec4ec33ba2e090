// The app: routes and error rendering. Runtime-agnostic: `serve` takes a
// plain request and answers a Reply (the Node edges write it to their socket);
// `handle` is the same app fetch-style, Request in and Response out.
import { notFound } from '../api/errors.ts';
import { chatDoor } from '../doors/chat/door.ts';
import { runInference } from '../pipeline/run.ts';
import type { GatewayDeps } from '../pipeline/deps.ts';
import { generationRoute } from './generation-route.ts';
import { addCreditsRoute, creditsRoute } from './management-credits.ts';
import { keyInfoRoute } from './management-key-info.ts';
import { createKeyRoute, deleteKeyRoute, getKeyRoute, listKeysRoute, patchKeyRoute } from './management-keys.ts';
import { modelEndpointsRoute } from './management-model-endpoints.ts';
import { createModelsRoute } from './models-route.ts';
import { json, toResponse, type GatewayRequest, type Reply } from '../api/reply.ts';
import { responseForThrown } from './responses.ts';
import { dashboardApiRoutes } from './dashboard-routes.ts';

export interface Gateway {
  serve(request: GatewayRequest): Promise<Reply>;
  handle(request: Request): Promise<Response>;
}

/** `params` are the path's `:name` segments, in order. */
type Route = (request: GatewayRequest, url: URL, deps: GatewayDeps, params: readonly string[]) => Promise<Reply> | Reply;

// Both `/api/v1/…` (OpenRouter's base) and `/v1/…` (OpenAI's) are served.
// Chat's door loads with the app; the other doors, embeddings and the
// dashboard's assets on their first request: in the Lambda bundle each is a
// chunk that a cold start whose first request is a chat completion never
// parses (after the first, the import is a resolved promise).
const routeTable: [method: string, path: string, route: Route][] = [
  ['POST', '/chat/completions', (request, _url, deps) => runInference(chatDoor, request, deps)],
  ['POST', '/responses', async (request, _url, deps) => runInference((await import('../doors/responses/door.ts')).responsesDoor, request, deps)],
  ['POST', '/messages', async (request, _url, deps) => runInference((await import('../doors/messages/door.ts')).messagesDoor, request, deps)],
  ['POST', '/completions', async (request, _url, deps) => runInference((await import('../doors/completions/door.ts')).completionsDoor, request, deps)],
  ['POST', '/embeddings', async (request, _url, deps) => {
    const [{ runEmbeddings }, { embeddingsDoor }] = await Promise.all([import('../pipeline/run-embeddings.ts'), import('../doors/embeddings/door.ts')]);
    return runEmbeddings(embeddingsDoor, request, deps);
  }],
  // Answered by the gateway's own models route (createGateway), which caches its listings.
  ['GET', '/models', (_request, url, deps) => createModelsRoute()(url, deps)],
  ['GET', '/models/:author/:slug/endpoints', (_request, _url, deps, [author = '', slug = '']) =>
    json(modelEndpointsRoute(deps.catalog, deps.health, author, slug, deps.now()))],
  ['GET', '/generation', (request, url, deps) => generationRoute(request, url, deps)],
  ['GET', '/key', (request, _url, deps) => keyInfoRoute(request, deps)],
  ['GET', '/auth/key', (request, _url, deps) => keyInfoRoute(request, deps)],
  ['GET', '/credits', (request, _url, deps) => creditsRoute(request, deps)],
  ['POST', '/credits', (request, _url, deps) => addCreditsRoute(request, deps)],
  ['GET', '/keys', (request, url, deps) => listKeysRoute(request, url, deps)],
  ['POST', '/keys', (request, _url, deps) => createKeyRoute(request, deps)],
  ['GET', '/keys/:hash', (request, _url, deps, [hash = '']) => getKeyRoute(request, hash, deps)],
  ['PATCH', '/keys/:hash', (request, _url, deps, [hash = '']) => patchKeyRoute(request, hash, deps)],
  ['DELETE', '/keys/:hash', (request, _url, deps, [hash = '']) => deleteKeyRoute(request, hash, deps)],
  ...dashboardApiRoutes,
];

interface CompiledRoute {
  method: string;
  pattern: RegExp;
  route: Route;
}

const compiled: CompiledRoute[] = routeTable.map(([method, path, route]) => ({
  method,
  pattern: new RegExp(`^${path.replace(/:[a-z]+/g, '([^/]+)')}$`),
  route,
}));

function match(method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const candidate of compiled) {
    if (candidate.method !== method) continue;
    const found = candidate.pattern.exec(path);
    if (found !== null) return { route: candidate.route, params: found.slice(1) };
  }
  return undefined;
}

export function createGateway(deps: GatewayDeps): Gateway {
  const models = createModelsRoute();
  const serve = async (request: GatewayRequest): Promise<Reply> => {
    const url = new URL(request.url);
    if (url.pathname === '/health' || url.pathname === '/api/v1/health') return json({ status: 'ok' });
    if (url.pathname === '/dashboard' || url.pathname.startsWith('/dashboard/')) {
      return (await import('../dashboard/dashboard-routes.ts')).dashboardRoute(request, url.pathname);
    }
    const path = url.pathname.startsWith('/api/v1/') ? url.pathname.slice(7) : url.pathname.startsWith('/v1/') ? url.pathname.slice(3) : undefined;
    const found = path === undefined ? undefined : match(request.method, path.replace(/\/$/, ''));
    try {
      if (found === undefined) throw notFound(`No route for ${request.method} ${url.pathname}`);
      if (request.method === 'GET' && path === '/models') return await models(url, deps);
      return await found.route(request, url, deps, found.params);
    } catch (thrown) {
      return responseForThrown(thrown, deps.log);
    }
  };
  return { serve, handle: async (request) => toResponse(await serve(request)) };
}
