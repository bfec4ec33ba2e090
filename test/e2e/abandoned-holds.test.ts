// A hold abandoned by a crash between reserve and settle never refuses a
// request once it has expired: the gateway reclaims it when it would
// otherwise answer 402.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { getAccount, reserveCredits, settleHold } from '../../lib/store/accounts.ts';
import { startTestGateway } from '../support/local-gateway.ts';

let gateway: LocalGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.close();
});

describe('abandoned holds', () => {
  it('are reclaimed when they would refuse a request, and only once expired', async () => {
    const client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
    const account = await getAccount(gateway.table, gateway.keys.accountId);
    const everything = account?.availableMicros ?? 0;
    // A crashed container's hold on the whole balance, still within its lease.
    const live = await reserveCredits(gateway.table, gateway.keys.accountId, { id: 'gen-crashed-live', amountMicros: everything, expiresAt: Date.now() + 60_000 });
    expect(live.ok).toBe(true);
    await expect(client.chat.completions.create({ model: 'test/one', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({ status: 402 });

    // The same hold, expired: the request goes through, and the hold is gone.
    await settleHold(gateway.table, gateway.keys.accountId, { id: 'gen-crashed-live', amountMicros: everything, expiresAt: 0 }, 0);
    await reserveCredits(gateway.table, gateway.keys.accountId, { id: 'gen-crashed-expired', amountMicros: everything, expiresAt: Date.now() - 1 });
    const reply = await client.chat.completions.create({ model: 'test/one', messages: [{ role: 'user', content: 'Hi' }] });
    expect(reply.choices[0]?.finish_reason).toBe('stop');
    await gateway.idle();
    const after = await getAccount(gateway.table, gateway.keys.accountId);
    expect(after?.holds.map((hold) => hold.id)).toEqual([]);
    expect(after?.availableMicros).toBe(everything - Math.round((reply.usage as unknown as { cost: number }).cost * 1_000_000));
  });
});
