// POST /responses: OpenAI's Responses API as OpenRouter serves it, stateless.
// The body is validated and turned into the canonical chat request on the
// way in; on the way out the canonical events become Responses SSE events or
// one `response` object. Everything between (keys, credits, routing,
// fallback, the commit point, the records) is the pipeline's, as for chat.
import { parseOrThrow } from '../../api/validate.ts';
import type { Door } from '../../pipeline/door.ts';
import { responsesErrorReply } from './error-reply.ts';
import { ResponseAssembler } from './json-assembler.ts';
import { toChatRequest } from './request-conversion.ts';
import { responsesRequest } from './request-schema.ts';
// The same comment OpenRouter sends on every SSE wire while no provider has answered yet.
import { KEEP_ALIVE_FRAME } from '../chat/stream-encoder.ts';
import { ResponsesStreamEncoder } from './stream-encoder.ts';

export const responsesDoor: Door = {
  name: 'responses',
  keepAliveFrame: KEEP_ALIVE_FRAME,
  decode(body) {
    const request = parseOrThrow(responsesRequest, body);
    return { request: toChatRequest(request), stream: request.stream === true };
  },
  streamEncoder: (meta, view) => new ResponsesStreamEncoder(meta, view),
  jsonAssembler: (meta, view) => new ResponseAssembler(meta, view),
  errorReply: responsesErrorReply,
};
