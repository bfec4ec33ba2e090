// The simulator's legacy /completions and embeddings endpoints, called as a
// client would: the reply shapes, deterministic vectors, `dimensions`,
// base64, and the provider's failures.
import { describe, expect, it } from 'vitest';
import { createSimulator } from '../../../lib/providers/simulator/index.ts';
import { simulatedVector } from '../../../lib/providers/simulator/embeddings.ts';
import { post, recordingSleep, testCatalog } from './support.ts';

const simulator = (behaviour = {}) => createSimulator({ catalog: testCatalog(behaviour), sleep: recordingSleep().sleep, now: () => 1_700_000_000_000 });

describe('the simulated legacy /completions', () => {
  it('answers a prompt with one text_completion object and usage', async () => {
    const response = await post(simulator(), '/sim-openai/v1/completions', { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 3 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; id: string; choices: { text: string; finish_reason: string }[]; usage: { prompt_tokens: number; completion_tokens: number } };
    expect(body).toMatchObject({ object: 'text_completion', model: 'gpt-3.5-turbo-instruct', created: 1_700_000_000 });
    expect(body.id).toMatch(/^cmpl-/);
    expect(body.choices[0]?.text.trim().split(' ')).toHaveLength(3);
    expect(body.choices[0]?.finish_reason).toBe('length');
    expect(body.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 3 });
  });

  it('streams text_completion chunks, a finish chunk, the usage chunk when asked, then [DONE]', async () => {
    const response = await post(simulator(), '/sim-openai/completions', { model: 'm', prompt: ['Hi'], stream: true, stream_options: { include_usage: true } });
    const frames = (await response.text()).split('\n\n').filter((frame) => frame !== '');
    expect(frames.at(-1)).toBe('data: [DONE]');
    const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame.slice(6)) as { object: string; choices: { text: string; finish_reason: string | null }[]; usage?: unknown });
    expect(chunks.every((chunk) => chunk.object === 'text_completion')).toBe(true);
    expect(chunks.slice(0, 5).map((chunk) => chunk.choices[0]?.finish_reason)).toEqual([null, null, null, null, null]);
    expect(chunks[5]?.choices[0]).toMatchObject({ text: '', finish_reason: 'stop' });
    expect(chunks[6]).toMatchObject({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 5, total_tokens: 6 } });
  });

  it('refuses a request without a prompt with a 400 naming it', async () => {
    const response = await post(simulator(), '/sim-openai/completions', { model: 'm' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('prompt');
  });
});

describe('the simulated embeddings', () => {
  it('answers the OpenAI wire with unit vectors seeded by each input, and usage', async () => {
    const response = await post(simulator(), '/sim-openai/v1/embeddings', { model: 'text-embedding-3-small', input: ['alpha', 'beta'], dimensions: 8 });
    const body = (await response.json()) as { object: string; data: { index: number; embedding: number[] }[]; usage: { prompt_tokens: number } };
    expect(body.object).toBe('list');
    expect(body.data.map((entry) => entry.embedding)).toEqual([simulatedVector('alpha', 8), simulatedVector('beta', 8)]);
    expect(body.data[0]?.embedding).not.toEqual(body.data[1]?.embedding);
    expect(Math.hypot(...(body.data[0]?.embedding ?? []))).toBeCloseTo(1, 6);
    expect(body.usage.prompt_tokens).toBe(3);
  });

  it('sends base64 of little-endian float32s when asked', async () => {
    const response = await post(simulator(), '/sim-openai/embeddings', { model: 'm', input: 'alpha', encoding_format: 'base64' });
    const body = (await response.json()) as { data: { embedding: string }[] };
    const bytes = Buffer.from(body.data[0]?.embedding ?? '', 'base64');
    expect(Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4))).toEqual(simulatedVector('alpha', 256));
  });

  it('answers Gemini batchEmbedContents and embedContent with outputDimensionality', async () => {
    const sim = simulator();
    const batch = await post(sim, '/sim-gemini/v1beta/models/gemini-embedding-001:batchEmbedContents', {
      requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'alpha' }] }, outputDimensionality: 4 }],
    });
    expect(await batch.json()).toEqual({ embeddings: [{ values: simulatedVector('alpha', 4) }] });
    const single = await post(sim, '/sim-gemini/v1beta/models/gemini-embedding-001:embedContent', { content: { parts: [{ text: 'alpha' }] } });
    expect(await single.json()).toEqual({ embedding: { values: simulatedVector('alpha', 256) } });
  });

  it('fails as the provider’s behaviour says, and counts the request', async () => {
    const sim = simulator({ failure: { mode: 'status', status: 503, retryAfterSeconds: 2 } });
    const response = await post(sim, '/sim-openai/embeddings', { model: 'm', input: 'alpha' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(sim.stats('sim-openai')).toMatchObject({ requests: 1, failed: 1 });
  });

  it('refuses an empty input with a 400 naming the field, without counting it toward failureRate', async () => {
    // With rate 0.5 request 2 fails: were the refusal counted, the next request would be that one.
    const sim = simulator({ failure: { mode: 'status', status: 503 }, failureRate: 0.5 });
    const refused = await post(sim, '/sim-openai/embeddings', { model: 'm', input: '' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('input');
    expect((await post(sim, '/sim-openai/embeddings', { model: 'm', input: 'alpha' })).status).toBe(200);
    expect((await post(sim, '/sim-openai/embeddings', { model: 'm', input: 'alpha' })).status).toBe(503);
  });
});
