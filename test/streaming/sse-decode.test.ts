// SSE decoding does not depend on where the network cuts the bytes: every
// recorded stream, split at random byte offsets (inside UTF-8 characters and
// between CR and LF included), decodes to the same messages as in one piece.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSse, type SseMessage } from '../../lib/streaming/sse-decode.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const ownFixtures = path.resolve(repoRoot, 'test/fixtures/openai');
const sharedFixtures = path.resolve(repoRoot, '../shared/fixtures/openai');
const HANDCRAFTED = 'stream-comments-multiline-utf8.sse';

function sseFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith('.sse'))
    .sort()
    .map((name) => path.join(directory, name));
}

interface Recording {
  name: string;
  bytes: Uint8Array;
}

const withCrlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
const withCr = (text: string): string => text.replace(/\r?\n/g, '\r');
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

function recordings(): Recording[] {
  const out: Recording[] = [];
  for (const [origin, directory] of [['shared', sharedFixtures], ['own', ownFixtures]] as const) {
    for (const file of sseFiles(directory)) {
      const text = readFileSync(file, 'utf8');
      const name = `${origin}/${path.basename(file)}`;
      out.push({ name, bytes: encode(text) }, { name: `${name} (CRLF)`, bytes: encode(withCrlf(text)) });
    }
  }
  return out;
}

function streamOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

function cutAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const offset of sorted) {
    chunks.push(bytes.subarray(from, offset));
    from = offset;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

async function decodeAll(chunks: readonly Uint8Array[]): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  for await (const message of decodeSse(streamOf(chunks))) messages.push(message);
  return messages;
}

/** Blank-line separated blocks that carry a data line: what a correct decoder yields, counted independently. */
function dataBlockCount(text: string): number {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\n/)
    .filter((block) => block.split('\n').some((line) => line.startsWith('data:'))).length;
}

describe('decodeSse', () => {
  const all = recordings();

  it('finds the repository recordings (and the shared ones when present)', () => {
    expect(all.some((recording) => recording.name === `own/${HANDCRAFTED}`)).toBe(true);
  });

  for (const recording of all) {
    it(`${recording.name}: any split decodes like the whole`, async () => {
      const whole = await decodeAll([recording.bytes]);
      expect(whole.length).toBe(dataBlockCount(new TextDecoder().decode(recording.bytes)));
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: Math.max(1, recording.bytes.length - 1) }), { maxLength: 40 }),
          async (offsets) => {
            expect(await decodeAll(cutAt(recording.bytes, offsets))).toEqual(whole);
          },
        ),
        { numRuns: 100 },
      );
    });
  }

  it('a CRLF or CR stream decodes to the same messages as its LF original', async () => {
    const text = readFileSync(path.join(ownFixtures, HANDCRAFTED), 'utf8');
    const lf = await decodeAll([encode(text)]);
    expect(await decodeAll([encode(withCrlf(text))])).toEqual(lf);
    expect(await decodeAll([encode(withCr(text))])).toEqual(lf);
  });

  it('skips comments, joins multi-line data and keeps multi-byte characters, even one byte at a time', async () => {
    const bytes = encode(withCrlf(readFileSync(path.join(ownFixtures, HANDCRAFTED), 'utf8')));
    const oneByteChunks = Array.from({ length: bytes.length }, (_, index) => bytes.subarray(index, index + 1));
    const messages = await decodeAll(oneByteChunks);
    const data = messages.map((message) => message.data);
    expect(data).toHaveLength(7);
    expect(data[0]).toMatch(/"system_fingerprint":"fp_560af6e559",\n"choices":\[/);
    expect(data[2]).toContain('"content":"日本語 "');
    expect(data[3]).toContain('"content":"🚀 ünïcödé"');
    // One space after "data:" is dropped, a second one is part of the value; "data:{" has none to drop.
    expect(data[4]).toMatch(/^\{"id".*,\n "choices"/s);
    expect(data.some((value) => value.includes('OPENROUTER PROCESSING') || value.includes('keep-alive'))).toBe(false);
    expect(data.at(-1)).toBe('[DONE]');
    for (const value of data.slice(0, -1)) expect(() => JSON.parse(value) as unknown).not.toThrow();
  });

  it('splits inside every multi-byte character without corrupting it', async () => {
    const text = 'data: {"content":"é日本🚀"}\n\n';
    const bytes = encode(text);
    for (let offset = 1; offset < bytes.length; offset += 1) {
      expect(await decodeAll([bytes.subarray(0, offset), bytes.subarray(offset)])).toEqual([
        { id: undefined, event: undefined, data: '{"content":"é日本🚀"}' },
      ]);
    }
  });
});
