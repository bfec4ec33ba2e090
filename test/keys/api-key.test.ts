import { describe, expect, it } from 'vitest';
import { bearerToken, generateApiKey } from '../../lib/keys/api-key.ts';

const headers = (entries: Record<string, string>): Headers => new Headers(entries);

describe('bearerToken', () => {
  const key = generateApiKey();

  it('reads the bearer token of the Authorization header, whatever the scheme spelling', () => {
    expect(bearerToken(headers({ authorization: `Bearer ${key}` }))).toBe(key);
    expect(bearerToken(headers({ authorization: `bearer   ${key} ` }))).toBe(key);
  });

  it('reads x-api-key when there is no bearer token (the Anthropic SDK and Claude Code send it)', () => {
    expect(bearerToken(headers({ 'x-api-key': key }))).toBe(key);
    expect(bearerToken(headers({ 'x-api-key': ` ${key} ` }))).toBe(key);
    expect(bearerToken(headers({ authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': key }))).toBe(key);
  });

  it('prefers the Authorization header when both are sent', () => {
    const other = generateApiKey();
    expect(bearerToken(headers({ authorization: `Bearer ${key}`, 'x-api-key': other }))).toBe(key);
  });

  it('finds no key in no header, an empty x-api-key or a bearer without a token', () => {
    expect(bearerToken(headers({}))).toBeUndefined();
    expect(bearerToken(headers({ 'x-api-key': '' }))).toBeUndefined();
    expect(bearerToken(headers({ authorization: 'Bearer' }))).toBeUndefined();
  });
});
