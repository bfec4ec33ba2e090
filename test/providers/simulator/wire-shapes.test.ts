// The simulator's replies have the fields real providers send, no more and
// (apart from a listed few) no fewer: field paths and JSON types are compared
// with recorded traffic, file by file. The repository's hand-written fixtures
// always run; ../shared/fixtures (real recordings) runs when it is present.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../../lib/providers/simulator/index.ts';
import { decodeSse } from '../../../lib/streaming/sse-decode.ts';
import { post, testCatalog } from './support.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const sources = [
  { name: 'repository', directory: path.resolve(import.meta.dirname, 'fixtures') },
  { name: 'shared', directory: path.resolve(repoRoot, '../shared/fixtures') },
];

const user = 'Which platform for the 08:15?';
const openaiPath = '/sim-openai/chat/completions';
const openaiTools = [{ type: 'function', function: { name: 'find_platform', parameters: { type: 'object', properties: { train: { type: 'string' } }, required: ['train'] } } }];
const anthropicPath = '/sim-anthropic/v1/messages';
const anthropicBase = { model: 'claude-sim', max_tokens: 64, messages: [{ role: 'user', content: user }] };
const anthropicTools = [{ name: 'find_platform', input_schema: { type: 'object', properties: { train: { type: 'string' } }, required: ['train'] } }];
const geminiStream = '/sim-gemini/v1beta/models/gemini-sim:streamGenerateContent?alt=sse';
const geminiJson = '/sim-gemini/v1beta/models/gemini-sim:generateContent';
const geminiBase = { contents: [{ role: 'user', parts: [{ text: user }] }] };
const geminiTools = [{ functionDeclarations: [{ name: 'find_platform', parameters: { type: 'OBJECT', properties: { train: { type: 'STRING' } }, required: ['train'] } }] }];
const failure = (value: object) => ({ 'x-simulator-failure': JSON.stringify(value) });

interface Case {
  wire: 'openai' | 'anthropic' | 'gemini';
  file: string;
  reply: (simulator: Simulator) => Promise<Response>;
  /** Fields of the recording the simulator leaves out on purpose. */
  omitted?: string[];
}

const cases: Case[] = [
  {
    wire: 'openai',
    file: 'stream-text-with-usage.sse',
    reply: (s) => post(s, openaiPath, { model: 'gpt-sim', messages: [{ role: 'user', content: user }], stream: true, stream_options: { include_usage: true } }),
    omitted: ['obfuscation'],
  },
  {
    wire: 'openai',
    file: 'stream-tool-call.sse',
    reply: (s) =>
      post(s, openaiPath, { model: 'gpt-sim', messages: [{ role: 'user', content: user }], tools: openaiTools, stream: true, stream_options: { include_usage: true } }),
    omitted: ['obfuscation'],
  },
  { wire: 'openai', file: 'response-text.json', reply: (s) => post(s, openaiPath, { model: 'gpt-sim', messages: [{ role: 'user', content: user }] }) },
  {
    wire: 'openai',
    file: 'response-tool-call.json',
    reply: (s) => post(s, openaiPath, { model: 'gpt-sim', messages: [{ role: 'user', content: user }], tools: openaiTools }),
  },
  {
    wire: 'openai',
    file: 'error-429-insufficient-quota.json',
    reply: (s) => post(s, openaiPath, { model: 'gpt-sim', messages: [{ role: 'user', content: user }] }, { headers: failure({ mode: 'status', status: 429 }) }),
  },
  {
    wire: 'anthropic',
    file: 'stream-text-short.sse',
    reply: (s) => post(s, anthropicPath, { ...anthropicBase, stream: true }),
    omitted: ['message_start|message.stop_details', 'message_start|message.usage.inference_geo', 'message_delta|delta.stop_details'],
  },
  {
    wire: 'anthropic',
    file: 'stream-tool-use.sse',
    reply: (s) => post(s, anthropicPath, { ...anthropicBase, tools: anthropicTools, stream: true }),
    // The recording has a text block before its tool calls; the simulator calls the tool straight away.
    omitted: ['content_block_start|content_block.text', 'content_block_delta|delta.text'],
  },
  { wire: 'anthropic', file: 'response-text.json', reply: (s) => post(s, anthropicPath, anthropicBase), omitted: ['usage.inference_geo'] },
  {
    wire: 'anthropic',
    file: 'error-529-overloaded.json',
    reply: (s) => post(s, anthropicPath, anthropicBase, { headers: failure({ mode: 'status', status: 529 }) }),
  },
  {
    wire: 'anthropic',
    file: 'stream-error-overloaded.sse',
    reply: (s) => post(s, anthropicPath, { ...anthropicBase, stream: true }, { headers: failure({ mode: 'error-event' }) }),
  },
  { wire: 'gemini', file: 'stream-text.sse', reply: (s) => post(s, geminiStream, geminiBase) },
  { wire: 'gemini', file: 'stream-function-call.sse', reply: (s) => post(s, geminiStream, { ...geminiBase, tools: geminiTools }) },
  { wire: 'gemini', file: 'response-text.json', reply: (s) => post(s, geminiJson, geminiBase), omitted: ['usageMetadata.thoughtsTokenCount'] },
  {
    wire: 'gemini',
    file: 'error-503-unavailable.json',
    reply: (s) => post(s, geminiJson, geminiBase, { headers: failure({ mode: 'status', status: 503 }) }),
  },
  {
    wire: 'gemini',
    file: 'error-429.json',
    reply: (s) => post(s, geminiJson, geminiBase, { headers: failure({ mode: 'status', status: 429, retryAfterSeconds: 21 }) }),
    omitted: ['error.details[].violations'],
  },
];

/** `choices[].delta.content:string`, one per field and JSON type; SSE fields are prefixed with their event name. */
async function fieldPaths(text: string, sse: boolean): Promise<Set<string>> {
  const paths = new Set<string>();
  if (!sse) {
    collect(JSON.parse(text), '', paths);
    return paths;
  }
  for await (const message of decodeSse(new Response(text).body ?? new ReadableStream())) {
    if (message.data === '[DONE]') paths.add('[DONE]');
    else collect(JSON.parse(message.data), message.event === undefined ? '' : `${message.event}|`, paths);
  }
  return paths;
}

function collect(value: unknown, at: string, into: Set<string>): void {
  const join = (key: string): string => (at === '' || at.endsWith('|') ? `${at}${key}` : `${at}.${key}`);
  if (Array.isArray(value)) {
    into.add(`${at}:array`);
    for (const item of value) collect(item, `${at}[]`, into);
  } else if (typeof value === 'object' && value !== null) {
    into.add(`${at}:object`);
    // Tool arguments are the tool's business, not the wire's.
    if (/(^|[.|])(args|input)$/.test(at)) return;
    for (const [key, member] of Object.entries(value)) collect(member, join(key), into);
  } else {
    into.add(`${at}:${value === null ? 'null' : typeof value}`);
  }
}

function isOmitted(field: string, omitted: readonly string[]): boolean {
  return omitted.some((prefix) => [':', '.', '['].some((next) => field.startsWith(`${prefix}${next}`)));
}

describe('simulator replies against recorded wire traffic', () => {
  for (const source of sources) {
    for (const testCase of cases) {
      const file = path.join(source.directory, testCase.wire, testCase.file);
      if (!existsSync(file)) continue;
      it(`${source.name}: ${testCase.wire}/${testCase.file}`, async () => {
        const sse = testCase.file.endsWith('.sse');
        const recorded = await fieldPaths(readFileSync(file, 'utf8'), sse);
        const simulator = createSimulator({ catalog: testCatalog({ outputTokens: 4 }) });
        const simulated = await fieldPaths(await (await testCase.reply(simulator)).text(), sse);

        expect(simulated.size).toBeGreaterThan(3);
        expect([...simulated].filter((field) => !recorded.has(field))).toEqual([]);
        expect([...recorded].filter((field) => !simulated.has(field) && !isOmitted(field, testCase.omitted ?? []))).toEqual([]);
      });
    }
  }
});
