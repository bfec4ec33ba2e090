// The binary `application/vnd.amazon.eventstream` body of ConverseStream, as
// messages. Each message is prefixed by its total length (4 bytes, big
// endian); network chunks split messages anywhere, so bytes are buffered
// until a whole message is in, then checked (CRCs) and decoded by
// @smithy/eventstream-codec.
// https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html#streaming-event-stream
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { FrameDecoder } from '../upstream-stream.ts';
import type { EventStreamMessage } from './wire-schemas.ts';

type MessageHeaders = ReturnType<EventStreamCodec['decode']>['headers'];

/** The smallest message: prelude (8), prelude CRC (4), message CRC (4). */
const MINIMUM_MESSAGE_LENGTH = 16;

export class EventStreamFormatError extends Error {
  override name = 'EventStreamFormatError';
}

/** The event-stream framing as a synchronous frame decoder (one network read may complete several messages). */
export function createEventStreamDecoder(): FrameDecoder<EventStreamMessage> {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  let buffer: Uint8Array = new Uint8Array(0);
  return {
    feed(bytes) {
      buffer = concat(buffer, bytes);
      const messages: EventStreamMessage[] = [];
      for (;;) {
        if (buffer.byteLength < 4) break;
        const length = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0, false);
        if (length < MINIMUM_MESSAGE_LENGTH) throw new EventStreamFormatError(`Event stream message length ${length} is invalid`);
        if (buffer.byteLength < length) break;
        messages.push(toMessage(codec.decode(buffer.subarray(0, length))));
        buffer = buffer.subarray(length);
      }
      return messages;
    },
    end() {
      if (buffer.byteLength > 0) throw new EventStreamFormatError('Event stream ended inside a message');
      return [];
    },
  };
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  if (head.byteLength === 0) return tail;
  const out = new Uint8Array(head.byteLength + tail.byteLength);
  out.set(head, 0);
  out.set(tail, head.byteLength);
  return out;
}

function toMessage(message: { headers: MessageHeaders; body: Uint8Array }): EventStreamMessage {
  const header = (name: string): string | undefined => {
    const entry = message.headers[name];
    return entry?.type === 'string' ? entry.value : undefined;
  };
  const messageType = header(':message-type') ?? 'event';
  const text = toUtf8(message.body);
  if (messageType === 'error') {
    // Protocol-level errors carry their code and message in headers, not the body.
    return { messageType: 'error', type: header(':error-code') ?? 'InternalServerException', payload: { message: header(':error-message') } };
  }
  let payload: unknown;
  try {
    payload = text === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw new EventStreamFormatError('Event stream message payload is not JSON');
  }
  if (messageType === 'exception') return { messageType: 'exception', type: header(':exception-type') ?? 'UnknownException', payload };
  return { messageType: 'event', type: header(':event-type') ?? 'unknown', payload };
}
