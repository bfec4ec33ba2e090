// Server-sent events from an upstream body, by the spec (comments, multi-line
// data, CRLF, an event split anywhere, a UTF-8 character split across chunks),
// through eventsource-parser.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export type SseMessage = EventSourceMessage;

export interface SseDecoder {
  /** The messages completed by these bytes (none, one or many: a network read often carries several). */
  feed(bytes: Uint8Array): SseMessage[];
  /** The body ended: what the last bytes completed. A final event without its blank line is incomplete by the spec: it is dropped. */
  end(): SseMessage[];
}

/** A synchronous decoder, for a reader that handles every message of one network read in one go. */
export function createSseDecoder(): SseDecoder {
  const decoder = new TextDecoder();
  let pending: SseMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  const take = (): SseMessage[] => {
    if (pending.length === 0) return NONE;
    const messages = pending;
    pending = [];
    return messages;
  };
  return {
    feed(bytes) {
      parser.feed(decoder.decode(bytes, { stream: true }));
      return take();
    },
    end() {
      parser.feed(decoder.decode());
      return take();
    },
  };
}

const NONE: SseMessage[] = [];

/** Yields each SSE message of `body` as it completes. */
export async function* decodeSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = createSseDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const message of decoder.feed(value)) yield message;
    }
    for (const message of decoder.end()) yield message;
  } finally {
    reader.releaseLock();
  }
}
