// Local mode (DESIGN decision 11): a credential's name is the environment
// variable that holds it (`OPENAI_API_KEY`).
import type { Credentials } from '../types.ts';

export function environmentCredentials(env: Readonly<Record<string, string | undefined>>): Credentials {
  return {
    get(name) {
      const value = Object.hasOwn(env, name) ? env[name]?.trim() : undefined;
      return Promise.resolve(value === undefined || value === '' ? undefined : value);
    },
    // The environment does not change under a running process: nothing to forget.
    refresh() {},
  };
}
