// The hold covers what is sent upstream, and the charge is what was used,
// whichever spelling of reasoning the caller used (issue 19, point 2). With
// `include_reasoning: true` (the legacy `reasoning: {}`) and `max_tokens:
// 500`, the Anthropic wire asks for a 1024-token thinking budget on top of
// the 500 (1524 in all). The hold once read the aliases itself and held for
// 500, and since a charge never exceeds its hold, the 1400 tokens Claude
// reported were billed as about 500.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { chatRequest } from '../../lib/api/chat-request.ts';
import { worstCaseMicros } from '../../lib/billing/cost.ts';
import { maxPromptTokens } from '../../lib/billing/prompt-size.ts';
import { getAccount } from '../../lib/store/accounts.ts';
import { accountWithKey } from '../billing/support/ledger.ts';
import { sseReply, startLoopbackUpstream, type LoopbackUpstream } from '../support/loopback-upstream.ts';
import { endpointOn, model, wiresCatalog, type CatalogProvider } from '../support/providers-catalog.ts';
import { usageRecords } from '../support/local-gateway.ts';
import { startProvidersGateway } from '../support/providers-upstreams.ts';

const MODEL = 'replay/claude-thinking';
const provider: CatalogProvider = { id: 'replay-anthropic', name: 'Anthropic (replay)', prices: { prompt: 3, completion: 15 } };
const PRICING = { prompt: '3', completion: '15' };
const PROMPT_TOKENS = 20;
const OUTPUT_TOKENS = 1400;
const BODY = { model: MODEL, messages: [{ role: 'user' as const, content: 'What is 2 + 2? Think first.' }], max_tokens: 500, include_reasoning: true };

const sse = (events: Record<string, unknown>[]): string => events.map((event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`).join('');
/** Claude thinks, answers, and reports 1400 output tokens: more than the caller's 500, within the 1524 asked for. */
const THINKING_REPLY = sse([
  {
    type: 'message_start',
    message: { id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: PROMPT_TOKENS, output_tokens: 1 } },
  },
  { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Two and two make four.' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCkYI' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Four.' } },
  { type: 'content_block_stop', index: 1 },
  { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: OUTPUT_TOKENS } },
  { type: 'message_stop' },
]);

let upstream: LoopbackUpstream;
let gateway: LocalGateway;

beforeAll(async () => {
  upstream = await startLoopbackUpstream();
  upstream.reply(sseReply(THINKING_REPLY));
  const catalog = wiresCatalog({
    providers: { [provider.id]: { name: provider.name, kind: 'anthropic', baseUrl: upstream.url, credential: 'ANTHROPIC_API_KEY' } },
    models: [model(MODEL, [endpointOn(provider, 'claude-sonnet-4-5')])],
  });
  gateway = await startProvidersGateway(catalog, { ANTHROPIC_API_KEY: 'sk-ant-billing-test' });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

/** The worst case of BODY when the upstream is asked for `outputTokens`. */
const worstCaseAt = (outputTokens: number): number => worstCaseMicros(maxPromptTokens(chatRequest.parse(BODY)), outputTokens, PRICING);

describe('include_reasoning with max_tokens on an Anthropic-wire model', () => {
  it('is charged for every output token Claude reported, as the reply says', async () => {
    const credits = 5_000_000;
    const account = await accountWithKey(gateway.table, credits);
    const client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: account.apiKey, maxRetries: 0 });

    const completion = await client.chat.completions.create(BODY as OpenAI.ChatCompletionCreateParamsNonStreaming);

    // What went upstream: the caller's 500 for the answer, plus the thinking budget.
    expect(JSON.parse(upstream.requests.at(-1)?.body ?? '{}')).toMatchObject({ max_tokens: 1524, thinking: { type: 'enabled', budget_tokens: 1024 } });
    const expectedMicros = PROMPT_TOKENS * 3 + OUTPUT_TOKENS * 15;
    expect(completion.usage).toMatchObject({ prompt_tokens: PROMPT_TOKENS, completion_tokens: OUTPUT_TOKENS });
    expect((completion.usage as unknown as { cost: number }).cost).toBeCloseTo(expectedMicros / 1e6, 12);
    const record = (await usageRecords(gateway)).find((entry) => entry.id === completion.id);
    expect(record).toMatchObject({ completion_tokens: OUTPUT_TOKENS, cost_micros: expectedMicros });
    const after = await getAccount(gateway.table, account.accountId);
    expect(after).toMatchObject({ spentMicros: expectedMicros, holds: [] });
  });

  it('holds for the 1524 tokens asked upstream: a balance that covers only 500 of them is refused before any upstream call', async () => {
    const account = await accountWithKey(gateway.table, worstCaseAt(1524) - 1);
    const client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: account.apiKey, maxRetries: 0 });
    const sent = upstream.requests.length;

    const refused = await client.chat.completions.create(BODY as OpenAI.ChatCompletionCreateParamsNonStreaming).catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect(upstream.requests).toHaveLength(sent);
    expect(worstCaseAt(500)).toBeLessThan(worstCaseAt(1524) - 1);
  });

  it('admits the same request when the balance covers the 1524', async () => {
    const account = await accountWithKey(gateway.table, worstCaseAt(1524));
    const client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: account.apiKey, maxRetries: 0 });

    const completion = await client.chat.completions.create(BODY as OpenAI.ChatCompletionCreateParamsNonStreaming);

    expect(completion.choices[0]?.message.content).toBe('Four.');
  });
});
