// The fetch-style app: routes and error rendering. Runtime-agnostic: the
// Lambda shell and the local server both call `handle(Request)`.
import { notFound } from '../api/errors.ts';
import { chatCompletions } from './chat-completions.ts';
import type { GatewayDeps } from './deps.ts';
import { generationRoute } from './generation-route.ts';
import { listModels } from './models.ts';
import { json, responseForThrown } from './responses.ts';

export interface Gateway {
  handle(request: Request): Promise<Response>;
}

type Route = (request: Request, url: URL, deps: GatewayDeps) => Promise<Response> | Response;

// Both `/api/v1/…` (OpenRouter's base) and `/v1/…` (OpenAI's) are served.
const routes: Record<string, Route> = {
  'POST /chat/completions': (request, _url, deps) => chatCompletions(request, deps),
  'GET /models': (_request, _url, deps) => json(listModels(deps.catalog)),
  'GET /generation': (request, url, deps) => generationRoute(request, url, deps),
};

export function createGateway(deps: GatewayDeps): Gateway {
  let cachedModels: Response | undefined;
  return {
    async handle(request) {
      const url = new URL(request.url);
      if (url.pathname === '/health' || url.pathname === '/api/v1/health') return json({ status: 'ok' });
      const path = url.pathname.startsWith('/api/v1/') ? url.pathname.slice(7) : url.pathname.startsWith('/v1/') ? url.pathname.slice(3) : undefined;
      const route = path === undefined ? undefined : routes[`${request.method} ${path.replace(/\/$/, '')}`];
      try {
        if (route === undefined) throw notFound(`No route for ${request.method} ${url.pathname}`);
        if (route === routes['GET /models']) {
          // The catalog does not change while the process lives: render it once.
          cachedModels ??= await route(request, url, deps);
          return cachedModels.clone();
        }
        return await route(request, url, deps);
      } catch (thrown) {
        return responseForThrown(thrown, deps.log);
      }
    },
  };
}
