// Money that adds up, through the real gateway HTTP path (local mode:
// dynalite, the provider simulator, the file usage sink): 200 concurrent
// requests on a balance (or a key limit) that covers exactly k worst cases
// admit exactly k; the balance ends at credits − Σ settled costs, with
// mid-stream drops and with settlements retried after lost responses; a
// hold a crash left behind is reclaimed.
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { reserveForRequest } from '../../lib/billing/reservation.ts';
import { getAccount, reclaimExpiredHolds } from '../../lib/store/accounts.ts';
import { getKey, getStoredKey } from '../../lib/store/keys.ts';
import { spentIn } from '../../lib/store/key-spend.ts';
import { periodsAt } from '../../lib/billing/periods.ts';
import { startTestGateway, usageRecords } from '../support/local-gateway.ts';
import { seededRandom, startGatedUpstream, type GatedUpstream } from './support/gated-upstream.ts';
import { accountWithKey, worstCaseOf } from './support/ledger.ts';

const PRICING = { prompt: '2', completion: '4' };
const TOTAL = 200;
const K = 37;
const BODY = { model: 'test/gated', messages: [{ role: 'user', content: 'Count to twelve' }], max_tokens: 20 };
const WORST = worstCaseOf(BODY, PRICING);

function catalogFor(upstream: GatedUpstream): unknown {
  return {
    providers: {
      gated: { name: 'Gated', kind: 'openai', baseUrl: `${upstream.url}/gated`, simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12 } },
    },
    models: [
      {
        id: 'test/gated',
        name: 'Gated',
        created: 1767225600,
        endpoints: [
          { provider: 'gated', upstreamModel: 'gated-model', pricing: PRICING, contextLength: 32_000, maxCompletionTokens: 4_096, supportedParameters: ['max_tokens'] },
        ],
      },
    ],
  };
}

const open: { gateway?: LocalGateway; upstream?: GatedUpstream } = {};
afterEach(async () => {
  await open.gateway?.close();
  await open.upstream?.close();
});

async function setUp(drill?: (arrival: number) => Record<string, string>, total = TOTAL): Promise<{ gateway: LocalGateway; upstream: GatedUpstream }> {
  const upstream = await startGatedUpstream({ total, drill });
  const gateway = await startTestGateway({ catalogDocument: catalogFor(upstream) });
  upstream.attach(gateway.simulator);
  Object.assign(open, { gateway, upstream });
  return { gateway, upstream };
}

interface Outcome {
  status: number;
  body: string;
}

/** TOTAL requests at once, half streamed; each 402 is reported to the gate as it arrives. */
async function fireAll(gateway: LocalGateway, upstream: GatedUpstream, apiKey: string): Promise<Outcome[]> {
  return Promise.all(
    Array.from({ length: TOTAL }, async (_, index) => {
      const response = await fetch(`${gateway.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...BODY, stream: index % 2 === 0 }),
      });
      if (response.status === 402) upstream.refused();
      return { status: response.status, body: await response.text() };
    }),
  );
}

/** Every generation of the account moved the balance once: by exactly its recorded cost. */
async function expectBooksBalance(gateway: LocalGateway, accountId: string, hash: string, credits: number): Promise<number> {
  const records = (await usageRecords(gateway)).filter((record) => record.account_id === accountId);
  expect(records).toHaveLength(TOTAL);
  expect(new Set(records.map((record) => record.id)).size).toBe(TOTAL);
  const charged = records.reduce((sum, record) => sum + record.cost_micros, 0);
  const account = (await getAccount(gateway.table, accountId))!;
  expect(account.holds).toEqual([]);
  expect(account.spentMicros).toBe(charged);
  expect(account.availableMicros).toBe(credits - charged);
  expect(account.availableMicros).toBeGreaterThanOrEqual(0);
  const key = (await getStoredKey(gateway.table, hash))!;
  expect(key.spend.holds).toEqual([]);
  expect(spentIn(key.spend, 'total', periodsAt(Date.now())).spentMicros).toBe(charged);
  return charged;
}

describe('reserve, then settle: exact under concurrency', () => {
  it(`admits exactly ${K} of ${TOTAL} concurrent requests on a balance of ${K} worst cases`, async () => {
    const { gateway, upstream } = await setUp();
    const credits = K * WORST;
    const { accountId, apiKey, hash } = await accountWithKey(gateway.table, credits);

    const outcomes = await fireAll(gateway, upstream, apiKey);

    expect(outcomes.filter((outcome) => outcome.status === 200)).toHaveLength(K);
    expect(outcomes.filter((outcome) => outcome.status === 402)).toHaveLength(TOTAL - K);
    expect(upstream.arrivals).toBe(K);
    const refusal = JSON.parse(outcomes.find((outcome) => outcome.status === 402)!.body);
    expect(refusal.error.metadata).toMatchObject({ limit_source: 'switchyard_credits', error_type: 'payment_required' });
    expect(refusal.error.message).toMatch(/^This request requires more credits, or fewer max_tokens\. You requested up to 20 tokens, but can only afford \d+\.$/);
    const charged = await expectBooksBalance(gateway, accountId, hash, credits);
    expect(charged).toBeGreaterThan(0);
    expect(charged).toBeLessThanOrEqual(credits);
  });

  it('still balances when random streams are cut mid-way', async () => {
    const random = seededRandom(20260822);
    const { gateway, upstream } = await setUp((): Record<string, string> =>
      random() < 0.5 ? { 'x-simulator-failure': JSON.stringify({ mode: 'drop', afterTokens: 1 + Math.floor(random() * 10) }) } : {},
    );
    const credits = K * WORST;
    const { accountId, apiKey, hash } = await accountWithKey(gateway.table, credits);

    const outcomes = await fireAll(gateway, upstream, apiKey);

    expect(outcomes.filter((outcome) => outcome.status !== 402)).toHaveLength(K);
    expect(upstream.arrivals).toBe(K);
    const records = (await usageRecords(gateway)).filter((record) => record.account_id === accountId && record.status !== 402);
    const cut = records.filter((record) => record.finish_reason === 'error' || record.status !== 200);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.length).toBeLessThan(K);
    await expectBooksBalance(gateway, accountId, hash, credits);
  });

  it('moves each balance once when settlements are retried after lost responses and sent twice', async () => {
    const { gateway, upstream } = await setUp();
    const lost = new Set<string>();
    let duplicates = 0;
    // The first settlement of each hold is applied, but its response is lost
    // (finishGeneration retries it), and every settlement is also sent twice at once.
    gateway.table.client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string; ExpressionAttributeNames?: Record<string, string> };
        if (input.UpdateExpression?.includes('REMOVE holds.#hold') !== true) return next(args);
        const hold = input.ExpressionAttributeNames?.['#hold'] ?? '';
        duplicates += 1;
        // Either copy may reach the table first; the other then fails its condition.
        const sent = await Promise.allSettled([next(args), next(args)]);
        const applied = sent.find((result) => result.status === 'fulfilled');
        if (!lost.has(hold)) {
          lost.add(hold);
          throw new Error('connection reset before the response arrived');
        }
        if (applied === undefined) throw (sent[0] as PromiseRejectedResult).reason;
        return applied.value;
      },
      { step: 'initialize', name: 'lostSettlementResponses' },
    );
    const credits = K * WORST;
    const { accountId, apiKey, hash } = await accountWithKey(gateway.table, credits);

    const outcomes = await fireAll(gateway, upstream, apiKey);

    expect(outcomes.filter((outcome) => outcome.status === 200)).toHaveLength(K);
    await expectBooksBalance(gateway, accountId, hash, credits);
    // Every admitted generation's settlement was lost once and retried (the refusals' releases too).
    expect(lost.size).toBeGreaterThanOrEqual(K);
    expect(duplicates).toBeGreaterThan(lost.size);
  });

  it("admits exactly k when the key's own limit binds, not the balance", async () => {
    const { gateway, upstream } = await setUp();
    const credits = 1_000 * WORST;
    const { accountId, apiKey, hash } = await accountWithKey(gateway.table, credits, { limitMicros: K * WORST, limitReset: 'monthly' });

    const outcomes = await fireAll(gateway, upstream, apiKey);

    expect(outcomes.filter((outcome) => outcome.status === 200)).toHaveLength(K);
    const refusal = JSON.parse(outcomes.find((outcome) => outcome.status === 402)!.body);
    expect(refusal.error.metadata).toMatchObject({ limit_source: 'switchyard_key_limit', limit_usd: (K * WORST) / 1e6 });
    expect(refusal.error.metadata.resets_at).toMatch(/^\d{4}-\d{2}-01T00:00:00\.000Z$/);
    const charged = await expectBooksBalance(gateway, accountId, hash, credits);
    expect(charged).toBeLessThanOrEqual(K * WORST);
  });
});

describe('no cached balance', () => {
  it('refuses the next request as soon as the balance is below its worst case', async () => {
    // An open gate: one request at a time here.
    const { gateway } = await setUp(undefined, 0);
    const { apiKey } = await accountWithKey(gateway.table, WORST);
    const send = () =>
      fetch(`${gateway.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(BODY),
      });
    expect((await send()).status).toBe(200);
    await gateway.idle();
    expect((await send()).status).toBe(402);
  });
});

describe('a crash between reserve and settle', () => {
  it('leaves no hold once the reclaim has run after expiry', async () => {
    const { gateway } = await setUp();
    const credits = 10 * WORST;
    const { accountId, hash } = await accountWithKey(gateway.table, credits, { limitMicros: 5 * WORST });
    const key = (await getKey(gateway.table, hash))!;
    const now = Date.now();
    // Reserved, then the process died: no settlement ever runs.
    const reserved = await reserveForRequest(gateway.table, { key, holdId: 'gen-crashed', amountMicros: WORST, now, ttlMs: 60_000 });
    expect(reserved.ok).toBe(true);
    expect((await getAccount(gateway.table, accountId))?.availableMicros).toBe(credits - WORST);

    expect(await reclaimExpiredHolds(gateway.table, accountId, now + 59_999)).toBe(0);
    expect(await reclaimExpiredHolds(gateway.table, accountId, now + 60_000)).toBe(1);

    const account = (await getAccount(gateway.table, accountId))!;
    expect(account).toMatchObject({ holds: [], availableMicros: credits, spentMicros: 0 });
    const spend = (await getStoredKey(gateway.table, hash))!.spend;
    expect(spend.holds).toEqual([]);
    expect(spentIn(spend, 'total', periodsAt(now)).usedMicros).toBe(0);
  });
});
