// Token counts by a real byte-pair encoding, for requests whose provider
// reported no usage (a cut-off stream, a cancelled request, a host that
// omits `usage`). The encodings load on first use: o200k_base's ranks are a
// 2.4 MB module that takes ~150 ms to parse, which a Lambda cold start must
// not pay for requests that never need a count.
import type { TokenEncodingName } from './encodings.ts';

/** Counts the tokens of text in one encoding. */
export interface TokenCounter {
  readonly encoding: TokenEncodingName;
  /** Tokens of `text` as the model reads ordinary text: special-token strings such as `<|endoftext|>` count as plain text. */
  countText(text: string): number;
}

export interface TokenCounters {
  /** The counter for an encoding, imported on the first call and kept for every later one. */
  forEncoding(name: TokenEncodingName): Promise<TokenCounter>;
}

/** What a counter needs of one gpt-tokenizer encoding module. */
export interface EncodingModule {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
  setMergeCacheSize(size: number): void;
  /** The encoding's pre-tokenizer: text is cut into these pieces before byte pairs are merged within each. */
  pieceRegex: RegExp;
}

export type ImportEncoding = (name: TokenEncodingName) => Promise<EncodingModule>;

export interface TokenCountersOptions {
  /** Loads an encoding module; tests pass their own to observe when (and whether) it runs. */
  importEncoding?: ImportEncoding;
}

/**
 * Byte-pair merging is quadratic in the length of a piece: 100,000 CJK
 * characters without punctuation, or 50,000 emoji in a row, took 20-30 s as
 * one piece, and ~0.2 s counted in slices of this length (measured on a
 * shared 2-core machine). A slice boundary can cost a merge, so a long piece
 * may count a token more than it would whole (none did for those inputs);
 * ordinary words, numbers and punctuation are far shorter and count exactly.
 */
export const MAX_PIECE_CHARS = 64;

/**
 * Whether text may hold a piece longer than MAX_PIECE_CHARS: a piece lies
 * within a run of non-space characters (plus a leading space or symbol and,
 * for punctuation, trailing newlines) or within a run of whitespace.
 */
const LONG_RUN = new RegExp(`\\S{${MAX_PIECE_CHARS + 1}}|\\s{${MAX_PIECE_CHARS + 1}}`);

export function createTokenCounters(options: TokenCountersOptions = {}): TokenCounters {
  const importEncoding = options.importEncoding ?? importGptTokenizerEncoding;
  // The promise is kept, not the counter, so concurrent first requests share one import.
  const loading = new Map<TokenEncodingName, Promise<TokenCounter>>();
  return {
    forEncoding(name) {
      const cached = loading.get(name);
      if (cached !== undefined) return cached;
      const loaded = importEncoding(name).then((module) => createTokenCounter(name, module));
      loading.set(name, loaded);
      // A failed import is not kept: the next request that needs a count tries again.
      loaded.catch(() => loading.delete(name));
      return loaded;
    },
  };
}

export function createTokenCounter(encoding: TokenEncodingName, module: EncodingModule): TokenCounter {
  // gpt-tokenizer's merge cache (100,000 entries by default) made counting
  // 100,000 distinct rare words ~3x slower (1.7 s against 0.6 s) and held
  // 16 MB more; common words are whole vocabulary entries and need no merges.
  module.setMergeCacheSize(0);
  const plainText = { disallowedSpecial: new Set<string>() };
  const pieceRegex = new RegExp(module.pieceRegex.source, module.pieceRegex.flags.includes('g') ? module.pieceRegex.flags : `${module.pieceRegex.flags}g`);
  const countExact = (text: string): number => module.countTokens(text, plainText);

  const countLongPiece = (piece: string): number => {
    let total = 0;
    for (let start = 0; start < piece.length; ) {
      let end = Math.min(start + MAX_PIECE_CHARS, piece.length);
      // Never cut a surrogate pair: each half would count as a replacement character.
      if (end < piece.length && isHighSurrogate(piece.charCodeAt(end - 1))) end -= 1;
      total += countExact(piece.slice(start, end));
      start = end;
    }
    return total;
  };

  const countWithLongPieces = (text: string): number => {
    let total = 0;
    let counted = 0;
    for (const match of text.matchAll(pieceRegex)) {
      const piece = match[0];
      if (piece.length <= MAX_PIECE_CHARS) continue;
      if (match.index > counted) total += countExact(text.slice(counted, match.index));
      total += countLongPiece(piece);
      counted = match.index + piece.length;
    }
    if (counted === 0) return countExact(text);
    if (counted < text.length) total += countExact(text.slice(counted));
    return total;
  };

  return {
    encoding,
    countText(text) {
      if (text === '') return 0;
      return LONG_RUN.test(text) ? countWithLongPieces(text) : countExact(text);
    },
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Each encoding by itself: a literal specifier per encoding, so the bundler
 * makes each one its own chunk and only the one a request needs is read.
 */
async function importGptTokenizerEncoding(name: TokenEncodingName): Promise<EncodingModule> {
  const { CL100K_TOKEN_SPLIT_REGEX, O200K_TOKEN_SPLIT_REGEX } = await import('gpt-tokenizer/encodingParams/constants');
  switch (name) {
    case 'o200k_base': {
      const encoding = await import('gpt-tokenizer/encoding/o200k_base');
      return { countTokens: encoding.countTokens, setMergeCacheSize: encoding.setMergeCacheSize, pieceRegex: O200K_TOKEN_SPLIT_REGEX };
    }
    case 'cl100k_base': {
      const encoding = await import('gpt-tokenizer/encoding/cl100k_base');
      return { countTokens: encoding.countTokens, setMergeCacheSize: encoding.setMergeCacheSize, pieceRegex: CL100K_TOKEN_SPLIT_REGEX };
    }
  }
}
