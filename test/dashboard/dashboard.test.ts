// The dashboard in a real headless Chromium against local mode: signing in
// (and being refused with the wrong key), a request made through the
// official openai client appearing with its cost and attempts, a key
// created (shown once) and disabled, the forms showing the server's errors,
// and a provider turning unhealthy after simulator failures.
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { reserveCredits, settleHold } from '../../lib/store/accounts.ts';
import { startTestGateway, testCatalog } from '../support/local-gateway.ts';
import { chromiumPath, launchBrowser, NO_BROWSER_MESSAGE, type Browser } from './support/browser.ts';

if (chromiumPath === undefined) console.warn(`dashboard browser tests skipped: ${NO_BROWSER_MESSAGE}`);

describe.skipIf(chromiumPath === undefined)('the dashboard in Chromium', () => {
  let gateway: LocalGateway;
  let browser: Browser;
  let page: Page;
  let client: OpenAI;

  beforeAll(async () => {
    // `test/flaky`'s only provider answers every request with a 503.
    const catalog = testCatalog({ flaky: { failure: { mode: 'status', status: 503 } } }) as { providers: Record<string, unknown>; models: Array<{ endpoints: unknown[] }> };
    // `test/keyed`: the endpoint of test/one on a provider whose credential is not set.
    catalog.providers['sim-keyed'] = { name: 'Sim Keyed', kind: 'openai', simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 3 }, credential: 'SIM_KEYED_API_KEY' };
    catalog.models.push({ id: 'test/keyed', name: 'Test Keyed', created: 1767225600, endpoints: [{ ...(catalog.models[0]?.endpoints[0] as object), provider: 'sim-keyed' }] } as { endpoints: unknown[] });
    gateway = await startTestGateway({ catalogDocument: catalog });
    client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });
  beforeEach(async () => {
    page = await browser.context.newPage();
    await page.goto(`${gateway.url}/dashboard`);
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
  });

  const signIn = async (key: string): Promise<void> => {
    await page.getByLabel('Management key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const openView = async (name: string): Promise<void> => {
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name }).click();
    await page.locator('.view[aria-busy="false"]').getByRole('heading', { level: 1 }).waitFor();
  };

  it('refuses an API key with the server’s message and signs in with a management key, never putting it in the URL', async () => {
    await signIn(gateway.keys.apiKey);
    await expect.poll(() => page.locator('#signin-error').textContent()).toContain('This endpoint needs a management key');
    expect(await page.locator('#app').isHidden()).toBe(true);

    await signIn(gateway.keys.managementKey);
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();

    expect(page.url()).not.toContain(gateway.keys.managementKey);
    expect(page.url()).not.toContain('sk-sy-');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the dashboard' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  // First of the tests that touch credits: no request has run yet, so the account holds only what this test puts there.
  it('shows the lease a running gateway holds apart from the requests in flight, each named for what it is', async () => {
    const accountId = gateway.keys.accountId;
    const expiresAt = Date.now() + 600_000;
    const day = new Date().toISOString().slice(0, 10);
    // A lease names no key (lib/billing/credit-ledger.ts); a request's own hold names the key that made it.
    const lease = { id: 'lease-dashboard-test-1', amountMicros: 996_000, expiresAt };
    const inFlight = { id: 'gen-dashboard-in-flight', amountMicros: 4_000, expiresAt, key: { hash: 'dashboard-test-key', day, week: day, month: day } };
    expect((await reserveCredits(gateway.table, accountId, lease)).ok).toBe(true);
    expect((await reserveCredits(gateway.table, accountId, inFlight)).ok).toBe(true);
    try {
      await signIn(gateway.keys.managementKey);
      await openView('Keys & credits');
      const tile = (label: string) => page.locator('.stat').filter({ has: page.locator('dt', { hasText: label }) });

      expect(await tile('Requests in flight').locator('.stat-value').textContent()).toBe('1');
      expect(await tile('Requests in flight').locator('.stat-detail').textContent()).toBe('holding $0.004');
      expect(await tile('Leased by running gateways').locator('.stat-value').textContent()).toBe('$0.996');
      expect(await tile('Leased by running gateways').locator('.stat-detail').textContent()).toBe('1 lease');
      expect(await tile('Available').locator('.stat-value').textContent()).toBe('$9.00');
      expect(await page.locator('#credits-explained').textContent()).toContain('A lease is credit a running gateway sets aside for its next requests');
      expect(await page.getByText('Held by requests in flight').count()).toBe(0);
    } finally {
      await settleHold(gateway.table, accountId, lease, 0);
      await settleHold(gateway.table, accountId, { ...inFlight, key: undefined }, 0);
    }
  });

  it('shows a request made through the openai client with its cost, tokens and attempts, and counts it in Activity', async () => {
    const completion = await client.chat.completions.create({ model: 'test/one', messages: [{ role: 'user', content: 'Hello from the browser test' }] });
    const cost = (completion.usage as OpenAI.CompletionUsage & { cost: number }).cost;
    await signIn(gateway.keys.managementKey);

    await openView('Generations');
    const row = page.locator(`tr.generation[data-id="${completion.id}"]`);
    await row.waitFor();

    expect(Number((await row.locator('td.cost').textContent())?.replace('$', ''))).toBe(cost);
    expect(await row.textContent()).toContain('Sim A');
    expect(await row.textContent()).toContain(`${completion.usage?.prompt_tokens} / ${completion.usage?.completion_tokens}`);
    await row.getByRole('button', { name: `Show attempts of ${completion.id}` }).click();
    const attempts = page.getByRole('list', { name: `Attempts of ${completion.id}` });
    expect(await attempts.getByRole('listitem').count()).toBe(1);
    expect(await attempts.textContent()).toContain('test/one@sim-a');

    await page.getByLabel('Search').fill(completion.id);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.locator('tr.generation').count()).toBe(1);

    await openView('Activity');
    const requests = page.locator('.stat').filter({ hasText: 'Requests' }).locator('.stat-value');
    expect(Number(await requests.textContent())).toBeGreaterThanOrEqual(1);
    expect(await page.getByRole('img', { name: /^Requests per hour: / }).count()).toBe(1);
    expect(await page.locator('section', { hasText: 'By model' }).getByRole('row', { name: /test\/one/ }).count()).toBe(1);
  });

  it('shows why a request to a model without a credential failed: the message naming what to set, and no attempt', async () => {
    const failure = await client.chat.completions.create({ model: 'test/keyed', messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 503 });
    const id = (failure as InstanceType<typeof OpenAI.APIError>).headers?.get('x-generation-id') ?? '';
    await signIn(gateway.keys.managementKey);

    await openView('Generations');
    const row = page.locator(`tr.generation[data-id="${id}"]`);
    await row.waitFor();
    expect(await row.locator('.badge').first().textContent()).toBe('503');
    await row.getByRole('button', { name: `Show attempts of ${id}` }).click();

    const details = page.locator(`#attempts-${id}`);
    expect(await details.locator('.generation-error').textContent()).toContain('set SIM_KEYED_API_KEY');
    expect(await details.getByRole('listitem').count()).toBe(0);
  });

  it('creates a key, shows it once, and disables it so that it stops working', async () => {
    await signIn(gateway.keys.managementKey);
    await openView('Keys & credits');

    await page.getByLabel('Name').fill('browser key');
    await page.getByLabel('Spending limit (USD)').fill('5');
    await page.getByLabel('Limit resets').selectOption('daily');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.locator('#new-key').textContent()) ?? '';

    expect(secret).toMatch(/^sk-sy-v1-[0-9a-f]{64}$/);
    const row = page.getByRole('row', { name: /browser key/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('$5.00 a day');
    const created = new OpenAI({ baseURL: gateway.baseUrl, apiKey: secret, maxRetries: 0 });
    expect((await created.chat.completions.create({ model: 'test/one', messages: [{ role: 'user', content: 'Hi' }] })).model).toBe('test/one');

    await row.getByRole('button', { name: 'Disable browser key' }).click();
    await row.getByText('disabled', { exact: true }).waitFor();

    await expect(created.chat.completions.create({ model: 'test/one', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({ status: 403 });
    await page.reload();
    await page.getByRole('button', { name: 'Enable browser key' }).waitFor();
  });

  it('shows the server’s message when a form is refused', async () => {
    await signIn(gateway.keys.managementKey);
    await openView('Keys & credits');

    await page.getByLabel('Name').fill('already expired');
    await page.getByLabel('Expires').fill('2020-01-01T00:00');
    await page.getByRole('button', { name: 'Create key' }).click();
    const keyForm = page.locator('section', { has: page.getByRole('heading', { name: 'Create a key' }) });
    await expect.poll(() => keyForm.getByRole('alert').textContent()).toContain('`expires_at` must be in the future');

    await page.getByLabel('Add credits (USD)').fill('-100000');
    await page.getByRole('button', { name: 'Top up' }).click();
    const credits = page.locator('section', { has: page.getByRole('heading', { name: 'Credits' }) });
    await expect.poll(() => credits.getByRole('alert').textContent()).toContain('would take the available balance below zero');
  });

  it('shows a provider going down once its simulator fails requests', async () => {
    await signIn(gateway.keys.managementKey);
    await openView('Providers');
    const flaky = page.locator('[data-provider="flaky"]');
    await flaky.waitFor();
    expect(await flaky.locator('.provider-header .badge').textContent()).toBe('No traffic');

    // Five counted failures within a minute open the breaker (DESIGN decision 8).
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(client.chat.completions.create({ model: 'test/flaky', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({ status: 503 });
    }
    await page.getByRole('button', { name: 'Refresh' }).click();

    await expect.poll(() => flaky.locator('.provider-header .badge').textContent()).toBe('Down (breaker open)');
    const endpoint = flaky.locator('[data-endpoint="test/flaky@flaky"]');
    expect(await endpoint.textContent()).toContain('100.0% of 5');
    expect(await endpoint.locator('[data-label="Breaker"]').textContent()).toMatch(/^open/);
  });
});
