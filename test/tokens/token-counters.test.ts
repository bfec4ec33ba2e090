import { describe, expect, it } from 'vitest';
import type { TokenEncodingName } from '../../lib/tokens/encodings.ts';
import { createTokenCounter, createTokenCounters, MAX_PIECE_CHARS, type EncodingModule } from '../../lib/tokens/token-counters.ts';

const counters = createTokenCounters();
const o200k = await counters.forEncoding('o200k_base');
const cl100k = await counters.forEncoding('cl100k_base');

describe('countText', () => {
  // OpenAI's cookbook "How to count tokens with tiktoken" §3 and §5 give these counts.
  it.each([
    ['tiktoken is great!', 6, 6],
    ['antidisestablishmentarianism', 6, 6],
    ['2 + 2 = 4', 7, 7],
    ['お誕生日おめでとう', 8, 9],
  ])('counts %j as the cookbook does (o200k %i, cl100k %i)', (text, inO200k, inCl100k) => {
    expect(o200k.countText(text)).toBe(inO200k);
    expect(cl100k.countText(text)).toBe(inCl100k);
  });

  it('tells the encodings apart where their vocabularies differ', () => {
    expect(o200k.countText('héllo wörld')).toBe(5);
    expect(cl100k.countText('héllo wörld')).toBe(6);
  });

  it('counts emoji by their UTF-8 bytes merged, including a ZWJ sequence', () => {
    expect(o200k.countText('👋🌍')).toBe(4);
    expect(cl100k.countText('👋🌍')).toBe(6);
    expect(o200k.countText('🏳️‍🌈')).toBe(6);
    expect(cl100k.countText('🏳️‍🌈')).toBe(9);
  });

  it('counts nothing for empty text', () => {
    expect(o200k.countText('')).toBe(0);
    expect(cl100k.countText('')).toBe(0);
  });

  it('counts special-token strings in user text as plain text instead of throwing', () => {
    // As the API reads a user's text; gpt-tokenizer's default options throw on it instead.
    expect(o200k.countText('Hello <|endoftext|> there')).toBe(9);
    expect(cl100k.countText('Hello <|endoftext|> there')).toBe(8);
  });

  it('counts a text joined from many pieces as the whole, not as the sum of its pieces', () => {
    const deltas = Array.from({ length: 1000 }, (_, index) => (index % 2 === 0 ? 'Hel' : 'lo '));
    const joined = deltas.join('');
    expect(o200k.countText(joined)).toBe(o200k.countText('Hello '.repeat(500)));
    expect(o200k.countText(joined)).toBeLessThan(deltas.length);
  });

  it('counts long ordinary text (words, URLs, code) exactly as one piece-unaware pass would', async () => {
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    const url = `https://example.com/${'segment-'.repeat(40)}end`;
    const text = `See ${url} and ${'const x = [1, 2, 3];\n'.repeat(50)}${'Lorem ipsum dolor sit amet. '.repeat(200)}`;
    expect(url.length).toBeGreaterThan(MAX_PIECE_CHARS);
    expect(o200k.countText(text)).toBe(countTokens(text));
    // No spaces at all, but punctuation keeps every piece short.
    const chinese = '自然语言处理是人工智能的一个重要分支，它研究如何让计算机理解和生成人类语言。'.repeat(20);
    expect(o200k.countText(chinese)).toBe(countTokens(chinese));
  });

  it('counts a pathologically long piece in slices, close to the exact count', async () => {
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    const run = 'a'.repeat(4 * MAX_PIECE_CHARS);
    const exact = countTokens(run);
    const counted = o200k.countText(`Start ${run} end`);
    const exactAround = countTokens('Start ') + exact + countTokens(' end');
    expect(counted).toBeGreaterThanOrEqual(exactAround - 4);
    expect(counted).toBeLessThanOrEqual(exactAround + 4);
  });

  it('never cuts a surrogate pair when slicing a long emoji run', () => {
    // "!" and 200 emoji are one piece of 401 UTF-16 units, so every slice
    // boundary at a multiple of MAX_PIECE_CHARS falls inside a pair; cutting
    // there would count each half as a replacement character (204 tokens).
    const run = `!${'😀'.repeat(200)}`;
    expect(o200k.countText(run)).toBe(201);
  });
});

describe('createTokenCounters', () => {
  const fakeModule = (counted: string[]): EncodingModule => ({
    countTokens: (text) => {
      counted.push(text);
      return text.split(' ').length;
    },
    setMergeCacheSize: () => {},
    pieceRegex: /\S+|\s+/gu,
  });

  it('imports nothing until the first count is asked for, then imports each encoding once', async () => {
    const imported: TokenEncodingName[] = [];
    const loader = createTokenCounters({
      importEncoding: async (name) => {
        imported.push(name);
        return fakeModule([]);
      },
    });
    expect(imported).toEqual([]);

    const [first, concurrent] = await Promise.all([loader.forEncoding('o200k_base'), loader.forEncoding('o200k_base')]);
    const later = await loader.forEncoding('o200k_base');
    expect(imported).toEqual(['o200k_base']);
    expect(concurrent).toBe(first);
    expect(later).toBe(first);

    await loader.forEncoding('cl100k_base');
    expect(imported).toEqual(['o200k_base', 'cl100k_base']);
  });

  it('tries the import again after it failed', async () => {
    let calls = 0;
    const loader = createTokenCounters({
      importEncoding: async () => {
        calls += 1;
        if (calls === 1) throw new Error('chunk missing');
        return fakeModule([]);
      },
    });
    await expect(loader.forEncoding('o200k_base')).rejects.toThrow('chunk missing');
    const counter = await loader.forEncoding('o200k_base');
    expect(counter.countText('two words')).toBe(2);
    expect(calls).toBe(2);
  });

  it('keeps the encodings in the loader, not the process: two loaders import separately', async () => {
    const imported: string[] = [];
    const importEncoding = async (name: TokenEncodingName): Promise<EncodingModule> => {
      imported.push(name);
      return fakeModule([]);
    };
    await createTokenCounters({ importEncoding }).forEncoding('o200k_base');
    await createTokenCounters({ importEncoding }).forEncoding('o200k_base');
    expect(imported).toEqual(['o200k_base', 'o200k_base']);
  });

  it('turns off the merge cache of the module it loads', () => {
    const sizes: number[] = [];
    createTokenCounter('o200k_base', { ...fakeModule([]), setMergeCacheSize: (size) => sizes.push(size) });
    expect(sizes).toEqual([0]);
  });

  it('hands short text to the module in one call, and a long piece in slices', () => {
    const counted: string[] = [];
    const counter = createTokenCounter('o200k_base', fakeModule(counted));
    counter.countText('a short text');
    expect(counted).toEqual(['a short text']);

    counted.length = 0;
    counter.countText(`head ${'x'.repeat(MAX_PIECE_CHARS * 2 + 5)} tail`);
    expect(counted).toEqual(['head ', 'x'.repeat(MAX_PIECE_CHARS), 'x'.repeat(MAX_PIECE_CHARS), 'xxxxx', ' tail']);
  });
});
