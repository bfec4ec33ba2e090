// Keys are 32 random bytes shown once as `sk-sy-v1-<64 hex>` and stored only
// as SHA-256 (DESIGN decision 3).

export const KEY_PREFIX = 'sk-sy-v1-';
const KEY_PATTERN = /^sk-sy-v1-[0-9a-f]{64}$/;

const hex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

export function generateApiKey(): string {
  return KEY_PREFIX + hex(crypto.getRandomValues(new Uint8Array(32)));
}

export const isWellFormedKey = (key: string): boolean => KEY_PATTERN.test(key);

export async function hashApiKey(key: string): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key))));
}

/** `sk-sy-v1-0e6...1c96`: enough to recognise a key, too little to use it. */
export function keyLabel(key: string): string {
  return `${key.slice(0, KEY_PREFIX.length + 3)}...${key.slice(-4)}`;
}

/**
 * The key a request presents: the bearer token of its Authorization header,
 * else its `x-api-key` header (how the Anthropic SDK and Claude Code send
 * a key), or undefined.
 */
export function bearerToken(headers: Pick<Headers, 'get'>): string | undefined {
  const header = headers.get('authorization');
  const match = header === null ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] !== undefined) return match[1];
  const apiKey = headers.get('x-api-key')?.trim();
  return apiKey === undefined || apiKey === '' ? undefined : apiKey;
}
