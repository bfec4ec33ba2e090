// The admin CLI's way to the gateway: the management API over HTTP with a
// management key, and errors a person can act on (a wrong URL, a wrong key)
// instead of stack traces. Never prints the key.
import type { Command } from 'commander';

export const DEFAULT_URL = 'http://localhost:8787';

/** A failure to show as one line, without a stack. */
export class CliError extends Error {
  override name = 'CliError';
}

export interface GlobalOptions {
  url: string;
  key?: string;
  json?: boolean;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export interface AdminClient {
  /** The gateway's base URL as given (for messages). */
  url: string;
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, body: unknown): Promise<T>;
  patch<T = unknown>(path: string, body: unknown): Promise<T>;
  delete<T = unknown>(path: string): Promise<T>;
}

/** `http://host:8787`, `http://host:8787/` and `http://host:8787/api/v1` all mean the same gateway. */
export function apiBase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`${url} is not a URL: pass --url http://host:port (or set SWITCHYARD_URL)`);
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${parsed.origin}${path.endsWith('/api/v1') ? path : `${path}/api/v1`}`;
}

export function adminClient(command: Command): AdminClient {
  const options = globalOptions(command);
  const key = options.key?.trim();
  if (key === undefined || key === '') {
    throw new CliError('no management key: pass --key <key> or set SWITCHYARD_MANAGEMENT_KEY (local mode prints one when it starts)');
  }
  const base = apiBase(options.url);
  const send = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new CliError(`cannot reach ${options.url}: is the gateway running?`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new CliError(`${options.url} did not answer like a Switchyard gateway (HTTP ${response.status}, not JSON): check --url`);
    }
    if (response.ok) return parsed as T;
    const message = errorMessage(parsed) ?? `HTTP ${response.status}`;
    if (response.status === 401 || response.status === 403) {
      throw new CliError(`the gateway refused the key (${response.status}): ${message}. Use a management key (--key or SWITCHYARD_MANAGEMENT_KEY).`);
    }
    if (response.status === 404 && errorMessage(parsed) === undefined) {
      throw new CliError(`${options.url} has no management API (HTTP 404): check --url`);
    }
    throw new CliError(`${response.status}: ${message}`);
  };
  return {
    url: options.url,
    get: (path) => send('GET', path),
    post: (path, body) => send('POST', path, body),
    patch: (path, body) => send('PATCH', path, body),
    delete: (path) => send('DELETE', path),
  };
}

function errorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = body.error;
  if (typeof error !== 'object' || error === null || !('message' in error)) return undefined;
  return typeof error.message === 'string' ? error.message : undefined;
}
