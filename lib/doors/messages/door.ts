// POST /messages: Anthropic's Messages API, for the Anthropic SDK, the AI
// SDK's Anthropic provider and Claude Code. The body is validated and turned
// into the canonical chat request; from there it is the same pipeline as
// chat completions (key check, credit hold, routing to any catalog model on
// any wire, fallback, settlement, records). Replies go out as Anthropic
// `message` bodies or Messages SSE, and errors in Anthropic's shape.
// `anthropic-version` and `anthropic-beta` are accepted and not needed:
// the reply shape is the one version 2023-06-01 defines.
import { parseOrThrow } from '../../api/validate.ts';
import type { Door } from '../../pipeline/door.ts';
import { anthropicErrorReply } from './error-reply.ts';
import { MessageAssembler } from './json-assembler.ts';
import { toChatRequest } from './request-conversion.ts';
import { messagesRequest } from './request-schema.ts';
import { MessagesStreamEncoder, PING_FRAME } from './stream-encoder.ts';

export const messagesDoor: Door = {
  name: 'messages',
  keepAliveFrame: PING_FRAME,
  decode(body) {
    const request = parseOrThrow(messagesRequest, body);
    return { request: toChatRequest(request), stream: request.stream === true };
  },
  streamEncoder: (meta, view) => new MessagesStreamEncoder(meta, view),
  jsonAssembler: (meta, view) => new MessageAssembler(meta, view),
  errorReply: anthropicErrorReply,
};
