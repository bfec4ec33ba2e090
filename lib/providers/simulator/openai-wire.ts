// OpenAI's chat-completions wire: `POST /chat/completions`, `data: {chunk}`
// frames ending in `data: [DONE]`, JSON bodies pretty-printed with 2 spaces,
// error bodies with 4 (as api.openai.com sends them).
import { seededHex, seededId } from './deterministic.ts';
import { parseOpenAiRequest } from './openai-request.ts';
import type { StreamFrame, StreamScript } from './paced-stream.ts';
import type { ReplyFinish, ReplyPlan } from './reply-plan.ts';
import type { SimulatedRequest } from './simulated-request.ts';
import { brokenJson, type ErrorDetails, type ReplyContext, type SimulatorWire } from './wire.ts';

type FinishReason = 'stop' | 'length' | 'tool_calls';

const FINISH_REASONS: Record<ReplyFinish, FinishReason> = { stop: 'stop', length: 'length', 'tool-calls': 'tool_calls' };

interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  refusal?: null;
  tool_calls?: { index: number; id?: string; type?: 'function'; function: { name?: string; arguments: string } }[];
}

interface WireChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  service_tier: 'default';
  system_fingerprint: string;
  choices: { index: 0; delta: ChunkDelta; logprobs: null; finish_reason: FinishReason | null }[];
  usage?: WireUsage | null;
}

interface WireErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const SERVER_ERROR = 'The server had an error while processing your request. Sorry about that!';

export const openaiWire: SimulatorWire = {
  kind: 'openai',
  // The base URL may or may not carry `/v1`, as with OpenAI-compatible hosts;
  // an Azure OpenAI resource's routes are served too (a deployment names the model).
  endpoint: (method, path) => {
    if (method !== 'POST') return undefined;
    if (/^(\/openai)?(\/v1)?\/chat\/completions$/.test(path)) return {};
    const deployment = /^(?:\/openai)?\/deployments\/([^/]+)\/chat\/completions$/.exec(path)?.[1];
    return deployment === undefined ? undefined : { model: decodeURIComponent(deployment) };
  },
  claims: (path) => path.endsWith('/chat/completions'),
  parseRequest: (body, endpoint) => parseOpenAiRequest(body, endpoint),
  errorBody: (status, _context, details) => `${JSON.stringify(errorBody(status, details), null, 4)}\n`,
  responseHeaders: (context) => ({ 'x-request-id': seededHex('req_', 32, `${context.requestKey}:request`) }),
  streamContentType: 'text/event-stream; charset=utf-8',
  jsonContentType: 'application/json',
  streamScript,
  jsonBody,
  errorEvent: () => {
    const body = JSON.stringify({ error: { message: SERVER_ERROR, type: 'server_error', param: null, code: null } });
    return { frame: `data: ${body}\n\n`, body };
  },
  malformedFrame: (plan, request, context) => {
    const chunk = baseChunk(plan, request, context, { content: ' broken' }, null);
    return `data: ${brokenJson(JSON.stringify(chunk))}\n\n`;
  },
};

function streamScript(plan: ReplyPlan, request: SimulatedRequest, context: ReplyContext): StreamScript {
  const frame = (delta: ChunkDelta, finish: FinishReason | null, tokens: number): StreamFrame => ({
    text: `data: ${JSON.stringify(baseChunk(plan, request, context, delta, finish))}\n\n`,
    tokens,
  });
  const content = plan.content;
  const opening =
    content.type === 'text'
      ? frame({ role: 'assistant', content: '', refusal: null }, null, 0)
      : frame(
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ index: 0, id: toolCallId(context), type: 'function', function: { name: content.name, arguments: '' } }],
            refusal: null,
          },
          null,
          0,
        );
  const tokens =
    content.type === 'text'
      ? content.tokens.map((token) => frame({ content: token }, null, 1))
      : content.fragments.map((fragment) => frame({ tool_calls: [{ index: 0, function: { arguments: fragment } }] }, null, 1));
  const closing: StreamFrame[] = [frame({}, FINISH_REASONS[plan.finish], 0)];
  if (request.includeUsage) {
    const usageChunk: WireChunk = { ...baseChunk(plan, request, context, {}, null), choices: [], usage: wireUsage(plan) };
    closing.push({ text: `data: ${JSON.stringify(usageChunk)}\n\n`, tokens: 0 });
  }
  closing.push({ text: 'data: [DONE]\n\n', tokens: 0 });
  return { opening: [opening], content: tokens, closing };
}

function baseChunk(
  plan: ReplyPlan,
  request: SimulatedRequest,
  context: ReplyContext,
  delta: ChunkDelta,
  finish: FinishReason | null,
): WireChunk {
  const chunk: WireChunk = {
    id: completionId(context),
    object: 'chat.completion.chunk',
    created: context.created,
    model: request.model,
    service_tier: 'default',
    system_fingerprint: fingerprint(request),
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  };
  // With include_usage every chunk carries `usage: null` until the last one.
  if (request.includeUsage) chunk.usage = null;
  return chunk;
}

function jsonBody(plan: ReplyPlan, request: SimulatedRequest, context: ReplyContext): string {
  const content = plan.content;
  const message =
    content.type === 'text'
      ? { role: 'assistant', content: content.tokens.join(''), refusal: null, annotations: [] }
      : {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: toolCallId(context), type: 'function', function: { name: content.name, arguments: content.arguments } }],
          refusal: null,
          annotations: [],
        };
  const completion = {
    id: completionId(context),
    object: 'chat.completion',
    created: context.created,
    model: request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH_REASONS[plan.finish] }],
    usage: wireUsage(plan),
    service_tier: 'default',
    system_fingerprint: fingerprint(request),
  };
  return JSON.stringify(completion, null, 2);
}

function wireUsage(plan: ReplyPlan): WireUsage {
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function errorBody(status: number, details: ErrorDetails | undefined): WireErrorBody {
  const [type, code, message] = errorKind(status);
  return { error: { message: details?.message ?? message, type, param: null, code } };
}

/** OpenAI's error `type`, `code` and usual message per status. */
function errorKind(status: number): [string, string | null, string] {
  if (status === 401) return ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'];
  if (status === 404) return ['invalid_request_error', null, 'The requested resource does not exist.'];
  if (status === 429) return ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests. Please try again later.'];
  if (status === 500) return ['server_error', null, SERVER_ERROR];
  if (status === 503) return ['server_error', null, 'The engine is currently overloaded, please try again later.'];
  if (status >= 500) return ['server_error', null, 'Bad gateway.'];
  return ['invalid_request_error', null, 'Invalid request.'];
}

function completionId(context: ReplyContext): string {
  return seededId('chatcmpl-', 29, context.requestKey);
}

function toolCallId(context: ReplyContext): string {
  return seededId('call_', 24, `${context.requestKey}:call`);
}

function fingerprint(request: SimulatedRequest): string {
  return seededHex('fp_', 10, request.model);
}
