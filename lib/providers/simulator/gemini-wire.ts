// Gemini's wire: `POST /v1beta/models/<model>:streamGenerateContent?alt=sse`
// (`data:` frames separated by CRLF CRLF, JSON written with `": "` spacing,
// usageMetadata on every chunk, finishReason on the last) and
// `:generateContent` (2-space pretty JSON). A function call arrives whole in
// one chunk, as the Gemini API sends it.
import { seededId } from './deterministic.ts';
import { parseGeminiRequest } from './gemini-request.ts';
import type { StreamFrame, StreamScript } from './paced-stream.ts';
import type { ReplyFinish, ReplyPlan } from './reply-plan.ts';
import type { SimulatedRequest } from './simulated-request.ts';
import { brokenJson, type ErrorDetails, type ReplyContext, type SimulatorWire } from './wire.ts';

type FinishReason = 'STOP' | 'MAX_TOKENS';

const FINISH_REASONS: Record<ReplyFinish, FinishReason> = { stop: 'STOP', length: 'MAX_TOKENS', 'tool-calls': 'STOP' };

type Part = { text: string } | { functionCall: { name: string; args: unknown } };

interface UsageMetadata {
  promptTokenCount: number;
  candidatesTokenCount?: number;
  totalTokenCount: number;
  promptTokensDetails: { modality: 'TEXT'; tokenCount: number }[];
  candidatesTokensDetails?: { modality: 'TEXT'; tokenCount: number }[];
}

interface GenerateContentResponse {
  candidates: { content: { parts: Part[]; role: 'model' }; finishReason?: FinishReason; index?: number }[];
  usageMetadata: UsageMetadata;
  modelVersion: string;
  responseId: string;
}

const ENDPOINT = /^\/v1(?:beta)?\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

export const geminiWire: SimulatorWire = {
  kind: 'gemini',
  endpoint: (method, path, search) => {
    const match = method === 'POST' ? ENDPOINT.exec(path) : null;
    if (match === null) return undefined;
    const model = decodeURIComponent(match[1] ?? '');
    if (match[2] === 'generateContent') return { stream: false, model };
    if (search.get('alt') !== 'sse') {
      return { stream: true, model, unsupported: 'The simulator streams only server-sent events: add ?alt=sse' };
    }
    return { stream: true, model };
  },
  claims: (path) => /:(stream)?[gG]enerateContent$/.test(path) || path.startsWith('/v1beta/'),
  parseRequest: parseGeminiRequest,
  errorBody: (status, _context, details) => JSON.stringify(errorBody(status, details), null, 2),
  responseHeaders: () => ({}),
  streamContentType: 'text/event-stream',
  jsonContentType: 'application/json; charset=UTF-8',
  streamScript,
  jsonBody: (plan, request, context) => {
    const content = plan.content;
    const parts: Part[] =
      content.type === 'text' ? [{ text: content.tokens.join('') }] : [{ functionCall: { name: content.name, args: content.input } }];
    const body = response(plan, request, context, parts, FINISH_REASONS[plan.finish], true);
    // generateContent puts `index` on the candidate and leaves out candidatesTokensDetails.
    const candidates = body.candidates.map((candidate) => ({ ...candidate, index: 0 }));
    const { candidatesTokensDetails: _details, ...usageMetadata } = body.usageMetadata;
    return JSON.stringify({ ...body, candidates, usageMetadata }, null, 2);
  },
  errorEvent: () => {
    const body = errorBody(503, undefined);
    return { frame: `data: ${spacedJson(body)}\r\n\r\n`, body: JSON.stringify(body, null, 2) };
  },
  malformedFrame: (plan, request, context) => `data: ${brokenJson(spacedJson(response(plan, request, context, [{ text: ' broken' }], undefined, false)))}\r\n\r\n`,
};

function streamScript(plan: ReplyPlan, request: SimulatedRequest, context: ReplyContext): StreamScript {
  const frame = (parts: Part[], finish: FinishReason | undefined, tokens: number): StreamFrame => ({
    text: `data: ${spacedJson(response(plan, request, context, parts, finish, finish !== undefined))}\r\n\r\n`,
    tokens,
  });
  const content = plan.content;
  if (content.type === 'tool-call') {
    const call = frame([{ functionCall: { name: content.name, args: content.input } }], 'STOP', content.fragments.length);
    return { opening: [], content: [call], closing: [] };
  }
  return {
    opening: [],
    content: content.tokens.map((token) => frame([{ text: token }], undefined, 1)),
    // Gemini often ends a text stream with an empty part that carries the finish reason.
    closing: [frame([{ text: '' }], FINISH_REASONS[plan.finish], 0)],
  };
}

function response(
  plan: ReplyPlan,
  request: SimulatedRequest,
  context: ReplyContext,
  parts: Part[],
  finish: FinishReason | undefined,
  final: boolean,
): GenerateContentResponse {
  const candidate: GenerateContentResponse['candidates'][number] = { content: { parts, role: 'model' } };
  if (finish !== undefined) candidate.finishReason = finish;
  const promptDetails = [{ modality: 'TEXT' as const, tokenCount: plan.promptTokens }];
  // Before the last chunk Gemini reports only the prompt.
  const usageMetadata: UsageMetadata = final
    ? {
        promptTokenCount: plan.promptTokens,
        candidatesTokenCount: plan.completionTokens,
        totalTokenCount: plan.promptTokens + plan.completionTokens,
        promptTokensDetails: promptDetails,
        candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: plan.completionTokens }],
      }
    : { promptTokenCount: plan.promptTokens, totalTokenCount: plan.promptTokens, promptTokensDetails: promptDetails };
  return {
    candidates: [candidate],
    usageMetadata,
    modelVersion: request.model,
    responseId: seededId('', 23, context.requestKey),
  };
}

function errorBody(status: number, details: ErrorDetails | undefined): unknown {
  const [statusName, message] = errorKind(status);
  const error: { code: number; message: string; status: string; details?: unknown[] } = {
    code: status,
    message: details?.message ?? message,
    status: statusName,
  };
  if (details?.retryAfterSeconds !== undefined) {
    error.details = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${details.retryAfterSeconds}s` }];
  }
  return { error };
}

/** Google's canonical status name and a usual message per HTTP status. */
function errorKind(status: number): [string, string] {
  if (status === 400) return ['INVALID_ARGUMENT', 'Request contains an invalid argument.'];
  if (status === 401) return ['UNAUTHENTICATED', 'Request had invalid authentication credentials.'];
  if (status === 403) return ['PERMISSION_DENIED', 'The caller does not have permission.'];
  if (status === 404) return ['NOT_FOUND', 'Requested entity was not found.'];
  if (status === 429) return ['RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'];
  if (status === 503) return ['UNAVAILABLE', 'The model is overloaded. Please try again later.'];
  if (status === 504) return ['DEADLINE_EXCEEDED', 'The request timed out. Please try again.'];
  if (status >= 500) return ['INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'];
  return ['FAILED_PRECONDITION', 'Precondition check failed.'];
}

/** JSON as Gemini's SSE payloads are written: `": "` after keys, no space after commas. */
export function spacedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => spacedJson(item)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .map(([key, member]) => `${JSON.stringify(key)}: ${spacedJson(member)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
