// A local gateway for end-to-end tests: in-memory DynamoDB, the simulator,
// a small catalog whose prices make costs easy to check.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { startLocalGateway, type LocalGateway, type LocalGatewayOptions } from '../../cli/local-gateway.ts';
import { getAccount } from '../../lib/store/accounts.ts';
import type { UsageRecord } from '../../lib/usage/record.ts';

const sim = (extra: Record<string, unknown> = {}) => ({ firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12, ...extra });
const params = ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'stop', 'tools', 'tool_choice', 'seed', 'response_format'];
const endpoint = (provider: string, prices: [string, string], extra: Record<string, unknown> = {}) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: prices[0], completion: prices[1] },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: params,
  inputModalities: ['text', 'image'],
  ...extra,
});

/** Providers `sim-a` (cheap) … and models `test/*` used across the end-to-end tests. */
export function testCatalog(providers: Record<string, Record<string, unknown>> = {}): unknown {
  return {
    providers: {
      'sim-a': { name: 'Sim A', kind: 'openai', simulator: sim() },
      'sim-b': { name: 'Sim B', kind: 'openai', simulator: sim() },
      'sim-anthropic': { name: 'Sim Anthropic', kind: 'anthropic', simulator: sim() },
      'sim-down': { name: 'Sim Down', kind: 'openai', simulator: sim({ failure: { mode: 'status', status: 500 } }) },
      ...Object.fromEntries(Object.entries(providers).map(([id, behaviour]) => [id, { name: `Sim ${id}`, kind: 'openai', simulator: sim(behaviour) }])),
    },
    models: [
      { id: 'test/one', name: 'Test One', created: 1767225600, endpoints: [endpoint('sim-a', ['2', '4'])] },
      { id: 'test/two', name: 'Test Two', created: 1767225600, endpoints: [endpoint('sim-a', ['1', '2']), endpoint('sim-b', ['3', '6'])] },
      { id: 'test/claude', name: 'Test Claude', created: 1767225600, endpoints: [endpoint('sim-anthropic', ['3', '15'])] },
      { id: 'test/down', name: 'Test Down', created: 1767225600, endpoints: [endpoint('sim-down', ['1', '1'])] },
      ...Object.keys(providers).map((id) => ({ id: `test/${id}`, name: `Test ${id}`, created: 1767225600, endpoints: [endpoint(id, ['1', '2'])] })),
    ],
  };
}

export async function startTestGateway(options: Partial<LocalGatewayOptions> = {}): Promise<LocalGateway> {
  return startLocalGateway({
    port: 0,
    dataDir: undefined,
    env: {},
    catalogDocument: testCatalog(),
    log: () => undefined,
    ...options,
    settings: { keepAlive: { firstAfterMs: 10_000, intervalMs: 10_000 }, ...options.settings },
  });
}

export async function usageRecords(gateway: LocalGateway): Promise<UsageRecord[]> {
  await gateway.idle();
  const records: UsageRecord[] = [];
  const walk = async (directory: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.jsonl')) {
        for (const line of (await readFile(full, 'utf8')).split('\n')) if (line !== '') records.push(JSON.parse(line) as UsageRecord);
      }
    }
  };
  await walk(gateway.usageDirectory);
  return records;
}

/**
 * The account's balance as a user sees it (credits − spent, µ$) once every
 * charge is settled. (`available` is lower by what open holds and leases set
 * aside for requests in flight.)
 */
export async function balance(gateway: LocalGateway): Promise<number> {
  await gateway.idle();
  const account = await getAccount(gateway.table, gateway.keys.accountId);
  return account === undefined ? Number.NaN : account.creditsMicros - account.spentMicros;
}
