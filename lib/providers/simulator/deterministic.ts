// Seeded randomness: the same prompt gives the same reply and the same
// request number gives the same ids, so tests and drills are reproducible.

/** 32-bit FNV-1a over a string's UTF-16 code units. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a tiny seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

/** `prefix` followed by `length` characters drawn from `alphabet`, seeded by `seedText`. */
export function seededId(prefix: string, length: number, seedText: string, alphabet: string = ALPHANUMERIC): string {
  const random = seededRandom(hashText(seedText));
  let id = prefix;
  for (let index = 0; index < length; index++) id += alphabet.charAt(Math.floor(random() * alphabet.length));
  return id;
}

export function seededHex(prefix: string, length: number, seedText: string): string {
  return seededId(prefix, length, seedText, HEX);
}
