// POST /chat/completions: OpenAI's chat wire with OpenRouter's additions is
// the canonical request with its aliases unresolved, so this door only
// validates and resolves on the way in and encodes chunks or one
// `chat.completion` on the way out.
import { canonicalRequest, chatWireRequest } from '../../api/chat-request.ts';
import { errorResponse } from '../../api/reply.ts';
import { parseOrThrow } from '../../api/validate.ts';
import type { Door } from '../../pipeline/door.ts';
import { CompletionAssembler } from './json-assembler.ts';
import { ChunkEncoder, KEEP_ALIVE_FRAME } from './stream-encoder.ts';
import { wireUsage } from './wire-usage.ts';

export const chatDoor: Door = {
  name: 'chat',
  keepAliveFrame: KEEP_ALIVE_FRAME,
  decode(body) {
    const wire = parseOrThrow(chatWireRequest, body);
    return { request: canonicalRequest(wire), stream: wire.stream === true };
  },
  streamEncoder: (meta, view) => new ChunkEncoder(meta, view),
  jsonAssembler(meta, view) {
    const assembler = new CompletionAssembler(view.includeReasoning);
    return {
      add: (event) => assembler.add(event),
      body: (billed) => JSON.stringify(assembler.body(meta, wireUsage(billed.usage, billed.cost))),
    };
  },
  errorReply: errorResponse,
};
