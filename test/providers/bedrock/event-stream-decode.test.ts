import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { decodeEventStream } from '../../../lib/providers/bedrock/event-stream-decode.ts';
import type { EventStreamMessage } from '../../../lib/providers/bedrock/upstream-schemas.ts';
import { concatBytes, encodeMessage } from './support.ts';

function bodyOf(pieces: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
}

async function decodeAll(pieces: readonly Uint8Array[]): Promise<EventStreamMessage[]> {
  const out: EventStreamMessage[] = [];
  for await (const message of decodeEventStream(bodyOf(pieces))) out.push(message);
  return out;
}

const messages: EventStreamMessage[] = [
  { messageType: 'event', type: 'messageStart', payload: { role: 'assistant' } },
  { messageType: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Grüße ☕ 🚀' } } },
  { messageType: 'exception', type: 'throttlingException', payload: { message: 'slow down' } },
];
const bytes = concatBytes(messages.map(encodeMessage));

describe('Bedrock event-stream decoding', () => {
  it('decodes a stream delivered in one piece', async () => {
    expect(await decodeAll([bytes])).toEqual(messages);
  });

  it('decodes the stream however it is cut in two, inside lengths, headers, UTF-8 characters and CRCs', async () => {
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      expect(await decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(messages);
    }
  });

  it('decodes the stream delivered one byte at a time', async () => {
    const pieces = Array.from({ length: bytes.byteLength }, (_, index) => bytes.subarray(index, index + 1));

    expect(await decodeAll(pieces)).toEqual(messages);
  });

  it('reads protocol errors from their headers', async () => {
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    const frame = codec.encode({
      headers: {
        ':message-type': { type: 'string', value: 'error' },
        ':error-code': { type: 'string', value: 'InternalFailure' },
        ':error-message': { type: 'string', value: 'Something broke' },
      },
      body: new Uint8Array(0),
    });

    expect(await decodeAll([frame])).toEqual([{ messageType: 'error', type: 'InternalFailure', payload: { message: 'Something broke' } }]);
  });

  it('rejects a message whose checksum does not match', async () => {
    const corrupted = bytes.slice();
    corrupted[20] = (corrupted[20] ?? 0) ^ 0xff;

    await expect(decodeAll([corrupted])).rejects.toThrow(/checksum/i);
  });

  it('rejects a stream that ends inside a message', async () => {
    await expect(decodeAll([bytes.subarray(0, bytes.byteLength - 3)])).rejects.toThrow('Event stream ended inside a message');
  });

  it('cancels the body when the consumer stops early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
      },
      cancel() {
        cancelled = true;
      },
    });

    for await (const message of decodeEventStream(body)) {
      expect(message.type).toBe('messageStart');
      break;
    }

    expect(cancelled).toBe(true);
  });
});
