import type { z } from 'zod';
import { invalidRequest } from './errors.ts';

/** `messages[0].content` from a zod issue path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? 'body' : out;
}

/** Parse a value with a strict schema; a failure is a 400 that names the field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what = 'Request'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5).map((issue) => `\`${fieldPath(issue.path)}\` ${issue.message}`);
  const first = result.error.issues[0];
  return throwInvalid(`${what} is invalid: ${issues.join('; ')}`, first ? fieldPath(first.path) : 'body');
}

function throwInvalid(message: string, field: string): never {
  throw invalidRequest(message, { field });
}
