// OpenAI's legacy completions wire on a simulated OpenAI-kind provider:
// `POST /completions` (or `/v1/completions`) with a `prompt`, answered with
// `text_completion` chunks (`choices[0].text`) and `data: [DONE]`, or one
// `text_completion` object, as api.openai.com sends them for
// gpt-3.5-turbo-instruct. Errors, ids and pacing are the chat wire's.
import { z } from 'zod';
import { seededId } from './deterministic.ts';
import { openaiWire } from './openai-wire.ts';
import type { StreamFrame, StreamScript } from './paced-stream.ts';
import type { ReplyFinish, ReplyPlan } from './reply-plan.ts';
import type { SimulatedRequest } from './simulated-request.ts';
import { brokenJson, describeIssues, type ParsedRequest, type ReplyContext, type SimulatorWire } from './wire.ts';

type FinishReason = 'stop' | 'length';

const FINISH_REASONS: Record<ReplyFinish, FinishReason> = { stop: 'stop', length: 'length', 'tool-calls': 'stop' };

const completionRequest = z
  .object({
    model: z.string().min(1),
    prompt: z.union([z.string(), z.array(z.string()).length(1)]),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).loose().nullish(),
    max_tokens: z.number().int().positive().nullish(),
  })
  .loose();

interface TextCompletionChoice {
  text: string;
  index: 0;
  logprobs: null;
  finish_reason: FinishReason | null;
}

interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Whether a path (after `/<providerId>`) is the legacy completions endpoint. */
export function isLegacyCompletionsPath(path: string): boolean {
  return /^(\/v1)?\/completions$/.test(path);
}

export const openaiCompletionsWire: SimulatorWire = {
  ...openaiWire,
  endpoint: (method, path) => (method === 'POST' && isLegacyCompletionsPath(path) ? {} : undefined),
  claims: isLegacyCompletionsPath,
  parseRequest,
  streamScript,
  jsonBody,
  malformedFrame: (plan, request, context) => `data: ${brokenJson(JSON.stringify(chunk(request, context, choice(' broken', null))))}\n\n`,
};

function parseRequest(body: unknown): ParsedRequest {
  const parsed = completionRequest.safeParse(body);
  if (!parsed.success) return { ok: false, message: describeIssues(parsed.error) };
  const request = parsed.data;
  const prompt = typeof request.prompt === 'string' ? request.prompt : (request.prompt[0] as string);
  const simulated: SimulatedRequest = {
    model: request.model,
    stream: request.stream === true,
    maxTokens: request.max_tokens ?? undefined,
    texts: [prompt],
    tools: [],
    toolChoice: { type: 'none' },
    lastTurn: 'user',
    includeUsage: request.stream_options?.include_usage === true,
  };
  return { ok: true, request: simulated };
}

function streamScript(plan: ReplyPlan, request: SimulatedRequest, context: ReplyContext): StreamScript {
  const frame = (body: object, tokens: number): StreamFrame => ({ text: `data: ${JSON.stringify(body)}\n\n`, tokens });
  const tokens = plan.content.type === 'text' ? plan.content.tokens : [];
  const closing: StreamFrame[] = [frame(chunk(request, context, choice('', FINISH_REASONS[plan.finish])), 0)];
  if (request.includeUsage) closing.push(frame({ ...chunk(request, context), choices: [], usage: wireUsage(plan) }, 0));
  closing.push({ text: 'data: [DONE]\n\n', tokens: 0 });
  // The first text chunk opens the stream: this wire has no role chunk.
  const [first, ...rest] = tokens.map((token) => frame(chunk(request, context, choice(token, null)), 1));
  return { opening: [], content: first === undefined ? [] : [first, ...rest], closing };
}

function jsonBody(plan: ReplyPlan, request: SimulatedRequest, context: ReplyContext): string {
  const text = plan.content.type === 'text' ? plan.content.tokens.join('') : '';
  return JSON.stringify({ ...chunk(request, context, choice(text, FINISH_REASONS[plan.finish])), usage: wireUsage(plan) }, null, 2);
}

function chunk(request: SimulatedRequest, context: ReplyContext, ...choices: TextCompletionChoice[]): Record<string, unknown> {
  return {
    id: seededId('cmpl-', 29, context.requestKey),
    object: 'text_completion',
    created: context.created,
    model: request.model,
    choices,
  };
}

function choice(text: string, finish: FinishReason | null): TextCompletionChoice {
  return { text, index: 0, logprobs: null, finish_reason: finish };
}

function wireUsage(plan: ReplyPlan): WireUsage {
  return { prompt_tokens: plan.promptTokens, completion_tokens: plan.completionTokens, total_tokens: plan.promptTokens + plan.completionTokens };
}
