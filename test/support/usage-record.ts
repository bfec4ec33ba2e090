// One usage record as the gateway writes it, for tests of the places records go.
import type { UsageRecord } from '../../lib/usage/record.ts';

export function usageRecord(id: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    id,
    created_at: '2026-03-01T12:00:00.000Z',
    key_hash_prefix: 'a1b2c3d4',
    account_id: 'acct-1',
    model_requested: 'openai/gpt-4o-mini',
    model: 'openai/gpt-4o-mini',
    provider: 'OpenAI',
    endpoint: 'openai/gpt-4o-mini@openai',
    streamed: true,
    status: 200,
    error_code: null,
    error_message: null,
    finish_reason: 'stop',
    native_finish_reason: 'stop',
    prompt_tokens: 12,
    completion_tokens: 34,
    cached_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_micros: 27,
    ttfb_ms: 180,
    latency_ms: 950,
    attempts: [{ endpoint: 'openai/gpt-4o-mini@openai', provider: 'OpenAI', model: 'openai/gpt-4o-mini', status: 200, error_code: null, latency_ms: 950 }],
    fallback: false,
    cancelled: false,
    session_id: null,
    user: null,
    ...overrides,
  };
}
