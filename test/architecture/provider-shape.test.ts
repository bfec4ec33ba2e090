// Every provider folder has the same shape (STYLE point 3, DESIGN "A provider
// kind is one folder"): the same files with the same exported names, so that
// reading one provider teaches all of them, and each has a contract suite
// (test/providers/contract). No adapter reads a body or calls fetch itself:
// lib/providers/upstream-http.ts and upstream-stream.ts own that.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const kinds = ['openai', 'anthropic', 'gemini', 'bedrock'] as const;

/** File → the names it must export. */
const shape: Record<string, readonly string[]> = {
  'adapter.ts': ['createAdapter'],
  'request-conversion.ts': ['convertRequest'],
  'response-conversion.ts': ['convertResponse'],
  'stream-conversion.ts': ['streamConversion'],
  'finish-reason.ts': ['convertFinishReason'],
  'usage.ts': ['convertUsage'],
  'error-mapping.ts': ['mapErrorReply', 'mapStreamError'],
  'wire-schemas.ts': [],
  'index.ts': ['createAdapter', 'convertRequest', 'convertResponse', 'streamConversion', 'convertFinishReason', 'convertUsage', 'mapErrorReply', 'mapStreamError'],
};

describe('every provider folder has the same shape', () => {
  for (const kind of kinds) {
    it(`${kind}: the same files, the same exported names, a contract suite`, async () => {
      for (const [file, names] of Object.entries(shape)) {
        const modulePath = path.join(root, 'lib/providers', kind, file);
        expect(existsSync(modulePath), `lib/providers/${kind}/${file}`).toBe(true);
        const exported = Object.keys((await import(modulePath)) as Record<string, unknown>);
        expect(exported, `lib/providers/${kind}/${file}`).toEqual(expect.arrayContaining([...names]));
      }
      expect(existsSync(path.join(root, 'test/providers/contract', `${kind}.contract.test.ts`))).toBe(true);
    });

    it(`${kind}: no fetch, body read or SSE loop of its own`, () => {
      for (const file of ['adapter.ts', 'embedding-adapter.ts']) {
        const modulePath = path.join(root, 'lib/providers', kind, file);
        if (!existsSync(modulePath)) continue;
        const text = readFileSync(modulePath, 'utf8');
        expect(text, `${kind}/${file}`).not.toMatch(/\bgetReader\(|\.text\(\)|decodeSse|createSseDecoder|sendUpstream\(|for await/);
      }
    });
  }
});
