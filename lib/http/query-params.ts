// A query parameter the route does not know is a 400 that names it (a
// strict schema's own issue for it names no path, only the keys).
import { invalidRequest } from '../api/errors.ts';

export function knownParamsOnly(url: URL, known: readonly string[]): Record<string, string> {
  for (const name of url.searchParams.keys()) {
    if (!known.includes(name)) {
      throw invalidRequest(`Query is invalid: \`${name.slice(0, 80)}\` is not a parameter of this route (it takes ${known.map((entry) => `\`${entry}\``).join(', ')})`, { field: name.slice(0, 80) });
    }
  }
  return Object.fromEntries(url.searchParams.entries());
}
