// Base64 vectors as OpenAI sends them: little-endian float32, checked
// against Node's own Buffer encoding, on vectors longer than one slice.
import { describe, expect, it } from 'vitest';
import { decodeFloat32Base64, encodeFloat32Base64 } from '../../lib/embeddings/vectors.ts';

const nodeEncoding = (values: readonly number[]): string => {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
};

describe('float32 base64', () => {
  it('encodes exactly as little-endian float32 bytes, beyond one 32 KB slice', () => {
    const values = Array.from({ length: 10_000 }, (_, index) => Math.fround(Math.sin(index) / (index + 1)));
    expect(encodeFloat32Base64(values)).toBe(nodeEncoding(values));
    expect(decodeFloat32Base64(nodeEncoding(values))).toEqual(values);
  });

  it('rounds doubles to the nearest float32, as the wire carries them', () => {
    expect(decodeFloat32Base64(encodeFloat32Base64([0.1, -1 / 3]))).toEqual([Math.fround(0.1), Math.fround(-1 / 3)]);
  });

  it('reads text that is not base64 of whole float32s as nothing', () => {
    expect(decodeFloat32Base64('not base64!')).toBeUndefined();
    expect(decodeFloat32Base64(Buffer.from([1, 2, 3]).toString('base64'))).toBeUndefined();
  });
});
