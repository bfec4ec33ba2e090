// Local mode keeps keys and balances across a restart, honours
// SWITCHYARD_DEV_KEY, and writes usage files in the Firehose layout.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../lib/keys/api-key.ts';
import { balance, startTestGateway } from '../support/local-gateway.ts';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchyard-restart-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('local mode across a restart', () => {
  it('keeps the keys and the balance, and uses SWITCHYARD_DEV_KEY', async () => {
    const devKey = generateApiKey();
    const first = await startTestGateway({ dataDir, env: { SWITCHYARD_DEV_KEY: devKey } });
    expect(first.keys.apiKey).toBe(devKey);
    const client = new OpenAI({ baseURL: first.baseUrl, apiKey: devKey, maxRetries: 0 });
    await client.chat.completions.create({ model: 'test/one', messages: [{ role: 'user', content: 'Hello' }] });
    const after = await balance(first);
    expect(after).toBeLessThan(10_000_000);
    const managementKey = first.keys.managementKey;
    await first.close();

    const second = await startTestGateway({ dataDir, env: {} });
    try {
      expect(second.keys.apiKey).toBe(devKey);
      expect(second.keys.managementKey).toBe(managementKey);
      expect(await balance(second)).toBe(after);
      const again = new OpenAI({ baseURL: second.baseUrl, apiKey: devKey, maxRetries: 0 });
      const reply = await again.chat.completions.create({ model: 'test/one', messages: [{ role: 'user', content: 'Hello' }] });
      expect(reply.choices[0]?.finish_reason).toBe('stop');
    } finally {
      await second.close();
    }
    const days = await readdir(path.join(dataDir, 'usage'));
    expect(days.every((day) => /^dt=\d{4}-\d{2}-\d{2}$/.test(day))).toBe(true);
    const hours = await readdir(path.join(dataDir, 'usage', days[0] as string));
    expect(hours[0]).toMatch(/^hour=\d{2}$/);
  });

  it('refuses a malformed SWITCHYARD_DEV_KEY with a clear message', async () => {
    await expect(startTestGateway({ dataDir: undefined, env: { SWITCHYARD_DEV_KEY: 'sk-mine' } })).rejects.toThrow(/SWITCHYARD_DEV_KEY must look like sk-sy-v1-/);
  });
});
