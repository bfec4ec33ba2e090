// Server-sent events from an upstream body, by the spec (comments, multi-line
// data, CRLF, an event split anywhere, a UTF-8 character split across chunks),
// through eventsource-parser.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export type SseMessage = EventSourceMessage;

/** Yields each SSE message of `body` as it completes. */
export async function* decodeSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const pending: SseMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (pending.length > 0) yield pending.shift() as SseMessage;
    }
    parser.feed(decoder.decode());
    // A final event without its blank line is incomplete by the spec: it is dropped.
    while (pending.length > 0) yield pending.shift() as SseMessage;
  } finally {
    reader.releaseLock();
  }
}
