// POST /completions: the legacy prompt → text wire, a door onto the same
// pipeline as chat. Its prompt is the one user message of the canonical
// request; its replies are `text_completion` chunks or one such object.
import { errorResponse } from '../../api/reply.ts';
import { parseOrThrow } from '../../api/validate.ts';
import type { Door } from '../../pipeline/door.ts';
import { KEEP_ALIVE_FRAME } from '../chat/stream-encoder.ts';
import { wireUsage } from '../chat/wire-usage.ts';
import { TextCompletionAssembler } from './json-assembler.ts';
import { completionsRequest, toChatRequest } from './request.ts';
import { TextCompletionEncoder } from './stream-encoder.ts';

export const completionsDoor: Door = {
  name: 'completions',
  keepAliveFrame: KEEP_ALIVE_FRAME,
  decode(body) {
    const request = parseOrThrow(completionsRequest, body);
    return { request: toChatRequest(request), stream: request.stream === true };
  },
  streamEncoder: (meta, view) => new TextCompletionEncoder(meta, view),
  jsonAssembler(meta, view) {
    const assembler = new TextCompletionAssembler(view.includeReasoning);
    return {
      add: (event) => assembler.add(event),
      body: (billed) => JSON.stringify(assembler.body(meta, wireUsage(billed.usage, billed.cost))),
    };
  },
  errorReply: errorResponse,
};
