// What a simulated model answers: deterministic words seeded by the prompt,
// a call of the forced (or first) tool, or the JSON a response format asks
// for, with exact token counts.
import { hashText, seededRandom } from './deterministic.ts';
import { countPromptTokens, type SimulatedRequest, type SimulatedResponseFormat, type SimulatedTool } from './simulated-request.ts';
import { exampleArguments } from './tool-arguments.ts';

export type ReplyContent =
  /** One token is one word; every word after the first carries its leading space. */
  | { type: 'text'; tokens: readonly string[] }
  /** `arguments` is `input` as JSON; `fragments` joined are `arguments`; one fragment is one token. */
  | { type: 'tool-call'; name: string; input: Record<string, unknown>; arguments: string; fragments: readonly string[] };

/** `length` when the request's max tokens cut the reply short. */
export type ReplyFinish = 'stop' | 'length' | 'tool-calls';

export interface ReplyPlan {
  promptTokens: number;
  completionTokens: number;
  content: ReplyContent;
  finish: ReplyFinish;
}

const WORDS = [
  'the', 'switchyard', 'routes', 'every', 'request', 'to', 'a', 'provider', 'and', 'streams', 'tokens', 'back',
  'as', 'they', 'arrive', 'simulated', 'replies', 'are', 'deterministic', 'so', 'tests', 'can', 'predict', 'them',
  'latency', 'throughput', 'fallback', 'gateway', 'model', 'endpoint', 'usage', 'credits', 'signal', 'track',
  'junction', 'rail', 'train', 'yard', 'switch', 'points', 'freight', 'engine', 'platform', 'timetable', 'on',
  'time', 'with', 'care',
];

/** Characters per streamed tool-argument fragment, about one real token's worth. */
const ARGUMENT_FRAGMENT_LENGTH = 4;

export function planReply(request: SimulatedRequest, outputTokens: number): ReplyPlan {
  const promptTokens = countPromptTokens(request.texts);
  const tool = toolToCall(request);
  if (tool !== undefined) {
    const input = exampleArguments(tool.parameters);
    const argumentsJson = JSON.stringify(input);
    const fragments = splitFragments(argumentsJson);
    return {
      promptTokens,
      completionTokens: fragments.length,
      content: { type: 'tool-call', name: tool.name, input, arguments: argumentsJson, fragments },
      finish: 'tool-calls',
    };
  }
  const cap = request.maxTokens ?? Number.POSITIVE_INFINITY;
  if (request.responseFormat !== undefined) {
    // Structured output: the JSON text, one token a fragment; cut short by max tokens as a real model is.
    const json = JSON.stringify(structuredReply(request.responseFormat, words(request.texts.join('\u0000'), Math.min(outputTokens, 12)).join('')));
    const fragments = splitFragments(json);
    const kept = fragments.slice(0, cap);
    return {
      promptTokens,
      completionTokens: kept.length,
      content: { type: 'text', tokens: kept },
      finish: kept.length < fragments.length ? 'length' : 'stop',
    };
  }
  const count = Math.min(outputTokens, cap);
  return {
    promptTokens,
    completionTokens: count,
    content: { type: 'text', tokens: words(request.texts.join('\u0000'), count) },
    finish: outputTokens > cap ? 'length' : 'stop',
  };
}

/** A `json_schema` reply is the smallest object its schema accepts; a `json_object` one carries the seeded words. */
function structuredReply(format: SimulatedResponseFormat, text: string): Record<string, unknown> {
  return format.type === 'json-schema' ? exampleArguments(format.schema) : { reply: text };
}

/**
 * Tool calls are not capped by max tokens: a real model would be cut off
 * mid-arguments, which the `drop` and `malformed` failures already simulate.
 */
function toolToCall(request: SimulatedRequest): SimulatedTool | undefined {
  if (request.tools.length === 0 || request.lastTurn !== 'user') return undefined;
  const choice = request.toolChoice;
  switch (choice.type) {
    case 'none':
      return undefined;
    case 'tool':
      return request.tools.find((tool) => tool.name === choice.name);
    case 'auto':
    case 'required':
      return request.tools[0];
  }
}

function words(seedText: string, count: number): string[] {
  const random = seededRandom(hashText(seedText));
  return Array.from({ length: count }, (_, index) => {
    const word = WORDS[Math.floor(random() * WORDS.length)] ?? 'the';
    return index === 0 ? word : ` ${word}`;
  });
}

function splitFragments(text: string): string[] {
  const characters = Array.from(text);
  const fragments: string[] = [];
  for (let start = 0; start < characters.length; start += ARGUMENT_FRAGMENT_LENGTH) {
    fragments.push(characters.slice(start, start + ARGUMENT_FRAGMENT_LENGTH).join(''));
  }
  return fragments;
}
