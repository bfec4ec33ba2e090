import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { createEventStreamDecoder } from '../../../lib/providers/bedrock/event-stream-decode.ts';
import type { EventStreamMessage } from '../../../lib/providers/bedrock/wire-schemas.ts';
import { concatBytes, encodeMessage } from './support.ts';

function decodeAll(pieces: readonly Uint8Array[]): EventStreamMessage[] {
  const decoder = createEventStreamDecoder();
  return [...pieces.flatMap((piece) => decoder.feed(piece)), ...decoder.end()];
}

const messages: EventStreamMessage[] = [
  { messageType: 'event', type: 'messageStart', payload: { role: 'assistant' } },
  { messageType: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Grüße ☕ 🚀' } } },
  { messageType: 'exception', type: 'throttlingException', payload: { message: 'slow down' } },
];
const bytes = concatBytes(messages.map(encodeMessage));

describe('Bedrock event-stream decoding', () => {
  it('decodes a stream delivered in one piece', () => {
    expect(decodeAll([bytes])).toEqual(messages);
  });

  it('decodes the stream however it is cut in two, inside lengths, headers, UTF-8 characters and CRCs', () => {
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      expect(decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(messages);
    }
  });

  it('decodes the stream delivered one byte at a time', () => {
    const pieces = Array.from({ length: bytes.byteLength }, (_, index) => bytes.subarray(index, index + 1));

    expect(decodeAll(pieces)).toEqual(messages);
  });

  it('reads protocol errors from their headers', () => {
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    const frame = codec.encode({
      headers: {
        ':message-type': { type: 'string', value: 'error' },
        ':error-code': { type: 'string', value: 'InternalFailure' },
        ':error-message': { type: 'string', value: 'Something broke' },
      },
      body: new Uint8Array(0),
    });

    expect(decodeAll([frame])).toEqual([{ messageType: 'error', type: 'InternalFailure', payload: { message: 'Something broke' } }]);
  });

  it('rejects a message whose checksum does not match', () => {
    const corrupted = bytes.slice();
    corrupted[20] = (corrupted[20] ?? 0) ^ 0xff;

    expect(() => decodeAll([corrupted])).toThrow(/checksum/i);
  });

  it('rejects a stream that ends inside a message', () => {
    expect(() => decodeAll([bytes.subarray(0, bytes.byteLength - 3)])).toThrow('Event stream ended inside a message');
  });
});
