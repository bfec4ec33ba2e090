// Anthropic's Messages wire: `POST /v1/messages`, `event: <type>` + `data:`
// frames (message_start … message_stop), compact JSON bodies. Like the real
// API it pads some `data:` payloads with spaces before the closing brace and
// sends `{"type": "ping"}`, so a client that assumes compact JSON fails here too.
import type { MessagesUsage, StopReason } from '../../wires/anthropic-messages.ts';
import { seededId } from './deterministic.ts';
import { parseAnthropicRequest } from './anthropic-request.ts';
import type { StreamFrame, StreamScript } from './paced-stream.ts';
import type { ReplyFinish, ReplyPlan } from './reply-plan.ts';
import type { SimulatedRequest } from './simulated-request.ts';
import { brokenJson, type ErrorDetails, type ReplyContext, type SimulatorWire } from './wire.ts';

const STOP_REASONS: Record<ReplyFinish, StopReason> = { stop: 'end_turn', length: 'max_tokens', 'tool-calls': 'tool_use' };

/** `message_start`'s usage: the Messages counts, with the cache breakdown and service tier Anthropic adds there. */
interface StartUsage extends MessagesUsage {
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  service_tier: 'standard';
}

type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

type Delta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string };

/**
 * What a request with `thinking` enabled thinks before it answers: a thinking
 * block first, one token per piece, closed by a signature (as Claude's are).
 * Its tokens count as output tokens, as Anthropic bills them.
 */
const THINKING = ['Considering', ' the', ' request', ' step', ' by', ' step.'];

type StreamEvent =
  | { type: 'message_start'; message: MessageBody }
  | { type: 'content_block_start'; index: number; content_block: ContentBlock }
  | { type: 'content_block_delta'; index: number; delta: Delta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason: StopReason; stop_sequence: null };
      usage: MessagesUsage;
    }
  | { type: 'message_stop' };

interface MessageBody {
  model: string;
  id: string;
  type: 'message';
  role: 'assistant';
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: null;
  usage: StartUsage;
}

export const anthropicWire: SimulatorWire = {
  kind: 'anthropic',
  endpoint: (method, path) => (method === 'POST' && /^(\/v1)?\/messages$/.test(path) ? {} : undefined),
  claims: (path) => path.endsWith('/messages'),
  parseRequest: (body) => parseAnthropicRequest(body),
  errorBody: (status, context, details) => JSON.stringify(errorBody(status, context, details)),
  responseHeaders: (context) => ({ 'request-id': requestId(context) }),
  streamContentType: 'text/event-stream; charset=utf-8',
  jsonContentType: 'application/json',
  streamScript,
  jsonBody: (plan, request, context) =>
    JSON.stringify(
      messageBody(plan, request, context, [...thinkingContent(request, context), ...finalContent(plan, context)], STOP_REASONS[plan.finish], outputTokens(plan, request)),
    ),
  errorEvent: () => {
    const body = JSON.stringify({ type: 'error', error: { details: null, type: 'overloaded_error', message: 'Overloaded' } });
    return { frame: `event: error\ndata: ${body}\n\n`, body };
  },
  malformedFrame: (plan, request) => {
    const event: StreamEvent = { type: 'content_block_delta', index: request.thinking === true ? 1 : 0, delta: deltaFor(plan, ' broken') };
    return `event: content_block_delta\ndata: ${brokenJson(JSON.stringify(event))}\n\n`;
  },
};

function streamScript(plan: ReplyPlan, request: SimulatedRequest, context: ReplyContext): StreamScript {
  let frameNumber = 0;
  const frame = (event: StreamEvent, tokens: number): StreamFrame => {
    frameNumber++;
    return { text: `event: ${event.type}\ndata: ${padded(JSON.stringify(event), frameNumber)}\n\n`, tokens };
  };
  const content = plan.content;
  const firstBlock: ContentBlock =
    content.type === 'text' ? { type: 'text', text: '' } : { type: 'tool_use', id: toolUseId(context), name: content.name, input: {} };
  const thinking = request.thinking === true;
  const index = thinking ? 1 : 0;
  const ping: StreamFrame = { text: 'event: ping\ndata: {"type": "ping"}\n\n', tokens: 0 };
  const opening: StreamFrame[] = [frame({ type: 'message_start', message: messageBody(plan, request, context, [], null, 1) }, 0)];
  if (thinking) {
    opening.push(
      frame({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }, 0),
      ping,
      ...THINKING.map((piece) => frame({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: piece } }, 1)),
      frame({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: thinkingSignature(context) } }, 0),
      frame({ type: 'content_block_stop', index: 0 }, 0),
      frame({ type: 'content_block_start', index, content_block: firstBlock }, 0),
    );
  } else {
    opening.push(frame({ type: 'content_block_start', index, content_block: firstBlock }, 0), ping);
  }
  // Anthropic opens a tool_use block's input with an empty fragment.
  if (content.type === 'tool-call') opening.push(frame({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } }, 0));
  const pieces = content.type === 'text' ? content.tokens : content.fragments;
  return {
    opening,
    content: pieces.map((piece) => frame({ type: 'content_block_delta', index, delta: deltaFor(plan, piece) }, 1)),
    closing: [
      frame({ type: 'content_block_stop', index }, 0),
      frame(
        {
          type: 'message_delta',
          delta: { stop_reason: STOP_REASONS[plan.finish], stop_sequence: null },
          // Cumulative, as Anthropic reports it in message_delta.
          usage: {
            input_tokens: plan.promptTokens,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            output_tokens: outputTokens(plan, request),
          },
        },
        0,
      ),
      frame({ type: 'message_stop' }, 0),
    ],
  };
}

function thinkingContent(request: SimulatedRequest, context: ReplyContext): ContentBlock[] {
  return request.thinking === true ? [{ type: 'thinking', thinking: THINKING.join(''), signature: thinkingSignature(context) }] : [];
}

function outputTokens(plan: ReplyPlan, request: SimulatedRequest): number {
  return plan.completionTokens + (request.thinking === true ? THINKING.length : 0);
}

function thinkingSignature(context: ReplyContext): string {
  return seededId('Eq', 48, `${context.requestKey}:thinking`);
}

function deltaFor(plan: ReplyPlan, piece: string): Delta {
  return plan.content.type === 'text' ? { type: 'text_delta', text: piece } : { type: 'input_json_delta', partial_json: piece };
}

function messageBody(
  plan: ReplyPlan,
  request: SimulatedRequest,
  context: ReplyContext,
  content: ContentBlock[],
  stopReason: StopReason | null,
  outputTokens: number,
): MessageBody {
  return {
    model: request.model,
    id: seededId('msg_01', 22, context.requestKey),
    type: 'message',
    role: 'assistant',
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: {
      input_tokens: plan.promptTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: outputTokens,
      service_tier: 'standard',
    },
  };
}

function finalContent(plan: ReplyPlan, context: ReplyContext): ContentBlock[] {
  const content = plan.content;
  if (content.type === 'text') return [{ type: 'text', text: content.tokens.join('') }];
  return [{ type: 'tool_use', id: toolUseId(context), name: content.name, input: content.input }];
}

/** Spaces before the closing brace, varying by frame, as Anthropic's edge sends them. */
function padded(json: string, frameNumber: number): string {
  const spaces = (frameNumber * 7) % 16;
  return spaces === 0 ? json : `${json.slice(0, -1)}${' '.repeat(spaces)}}`;
}

function errorBody(status: number, context: ReplyContext, details: ErrorDetails | undefined): unknown {
  const [type, message] = errorKind(status);
  return { type: 'error', error: { type, message: details?.message ?? message }, request_id: requestId(context) };
}

/** Anthropic's error `type` and usual message per status (docs.claude.com/en/api/errors). */
function errorKind(status: number): [string, string] {
  if (status === 401) return ['authentication_error', 'invalid x-api-key'];
  if (status === 403) return ['permission_error', 'Your API key does not have permission to use the specified resource.'];
  if (status === 404) return ['not_found_error', 'Not found'];
  if (status === 413) return ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'];
  if (status === 429) return ['rate_limit_error', 'This request would exceed your rate limit. Please try again later.'];
  if (status === 529) return ['overloaded_error', 'Overloaded'];
  if (status >= 500) return ['api_error', 'Internal server error'];
  return ['invalid_request_error', 'Invalid request'];
}

function requestId(context: ReplyContext): string {
  return seededId('req_011', 21, `${context.requestKey}:request`);
}

function toolUseId(context: ReplyContext): string {
  return seededId('toolu_01', 22, `${context.requestKey}:tool`);
}
