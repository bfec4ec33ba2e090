// Embedding vectors on the wire: JSON numbers, or base64 of little-endian
// float32s, as OpenAI sends them for `encoding_format: "base64"` (and as the
// official SDKs decode them).
const BYTES_PER_FLOAT = 4;
/** btoa/atob take binary strings: build them in slices, not one argument per byte. */
const SLICE = 0x8000;

export function encodeFloat32Base64(vector: readonly number[]): string {
  const bytes = new Uint8Array(vector.length * BYTES_PER_FLOAT);
  const view = new DataView(bytes.buffer);
  vector.forEach((value, index) => view.setFloat32(index * BYTES_PER_FLOAT, value, true));
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += SLICE) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + SLICE));
  }
  return btoa(binary);
}

/** The vector in a base64 reply; undefined when the text is not base64 of whole float32s. */
export function decodeFloat32Base64(text: string): number[] | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  if (binary.length % BYTES_PER_FLOAT !== 0) return undefined;
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let index = 0; index < binary.length; index += 1) view.setUint8(index, binary.charCodeAt(index));
  const vector = new Array<number>(binary.length / BYTES_PER_FLOAT);
  for (let index = 0; index < vector.length; index += 1) vector[index] = view.getFloat32(index * BYTES_PER_FLOAT, true);
  return vector;
}
