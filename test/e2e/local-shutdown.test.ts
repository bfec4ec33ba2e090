// Stopping loses nothing (DESIGN decision 14; issue 21 points 4 and 5), with
// real processes and real signals: local mode started as `npm start` starts
// it (`node cli/local.ts`) in a process group of its own, slow streams in
// flight, then SIGINT to the whole group, as a terminal's Ctrl-C sends it,
// or SIGKILL. Afterwards the store is read directly (the DynamoDB stand-in
// alone, no gateway) and through a restarted gateway.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalDynamo } from '../../cli/local-dynamo.ts';
import { LOCAL_ACCOUNT } from '../../cli/local-seed.ts';
import { generateApiKey } from '../../lib/keys/api-key.ts';
import { getAccount, type Account } from '../../lib/store/accounts.ts';
import { startTestGateway, testCatalog, usageRecords } from '../support/local-gateway.ts';

const ENTRY = path.join(import.meta.dirname, '..', '..', 'cli', 'local.ts');
const DRAIN_MS = 3_000;
/** Slack on top of the drain bound for the exit: the machine may be busy (the bound is what is asserted, not a speed). */
const EXIT_SLACK_MS = 20_000;

// `test/slow`: 20 tokens at 20 a second, done within the drain. `test/endless`: 400 at 4 a second, cut by it.
const catalog = testCatalog({
  slow: { firstTokenMs: 0, tokensPerSecond: 20, outputTokens: 20 },
  endless: { firstTokenMs: 0, tokensPerSecond: 4, outputTokens: 400 },
});

interface LocalProcess {
  child: ChildProcess;
  url: string;
  /** stdout and stderr so far. */
  log(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let dataDir: string;
let catalogFile: string;
let apiKey: string;
let managementKey: string;
const started: LocalProcess[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchyard-shutdown-'));
  catalogFile = path.join(dataDir, 'catalog.json');
  await writeFile(catalogFile, JSON.stringify(catalog));
  apiKey = generateApiKey();
  managementKey = generateApiKey();
});
afterEach(async () => {
  for (const running of started.splice(0)) {
    if (running.child.exitCode === null && running.child.signalCode === null) {
      process.kill(-(running.child.pid as number), 'SIGKILL');
      await running.exited;
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

/** `node cli/local.ts` in its own process group, once it says where it listens. */
async function startLocal(): Promise<LocalProcess> {
  const child = spawn(process.execPath, [ENTRY], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_CATALOG: catalogFile,
      SWITCHYARD_DEV_KEY: apiKey,
      SWITCHYARD_DEV_MANAGEMENT_KEY: managementKey,
      SWITCHYARD_SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const match = /Switchyard is running at (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    void exited.then(() => reject(new Error(`local mode exited at start:\n${output}`)));
  });
  const running = { child, url, log: () => output, exited };
  started.push(running);
  return running;
}

interface StreamOutcome {
  text: string;
  generationId: string;
}

/** A streamed chat request; `committed` resolves with its first content chunk, `done` with the whole body. */
function stream(url: string, model: string): { committed: Promise<void>; done: Promise<StreamOutcome> } {
  let markCommitted: () => void = () => undefined;
  const committed = new Promise<void>((resolve) => (markCommitted = resolve));
  const done = (async () => {
    const response = await fetch(`${url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Tell me a long story' }], stream: true }),
    });
    const generationId = response.headers.get('x-generation-id') ?? '';
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of response.body as ReadableStream<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (text.includes('"content":')) markCommitted();
    }
    return { text, generationId };
  })();
  return { committed: Promise.race([committed, done.then(() => undefined)]), done };
}

const sseEvents = (text: string): string[] =>
  text
    .split('\n\n')
    .map((frame) => frame.trim())
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice('data: '.length));

/** The account as the store holds it, read with the DynamoDB stand-in alone: no gateway runs. */
async function storedAccount(): Promise<Account> {
  const dynamo = await startLocalDynamo(path.join(dataDir, 'dynamodb'));
  try {
    const account = await getAccount({ client: dynamo.client, name: dynamo.tableName }, LOCAL_ACCOUNT);
    if (account === undefined) throw new Error('no local account');
    return account;
  } finally {
    await dynamo.close();
  }
}

async function generation(url: string, id: string): Promise<{ status: number; data: Record<string, unknown> }> {
  const response = await fetch(`${url}/api/v1/generation?id=${id}`, { headers: { authorization: `Bearer ${apiKey}` } });
  return { status: response.status, data: ((await response.json()) as { data: Record<string, unknown> }).data };
}

interface Credits {
  data: { reserved: number; available: number; total_credits: number; total_usage: number };
}

async function creditsOf(url: string): Promise<Credits> {
  return (await (await fetch(`${url}/api/v1/credits`, { headers: { authorization: `Bearer ${managementKey}` } })).json()) as Credits;
}

/** Until `condition` holds, looked at every 100 ms, for at most 30 s: a state of the gateway seen from outside, no event to wait on. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let look = 0; look < 300; look += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the condition did not come true within 30 s');
}

async function stopWith(running: LocalProcess, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  process.kill(-(running.child.pid as number), signal);
  return running.exited;
}

describe('local mode on Ctrl-C (SIGINT to its process group)', () => {
  it('finishes the streams it can within the bound, ends the rest in-band, settles and records every one, and holds nothing', async () => {
    const first = await startLocal();
    const finishing = Array.from({ length: 4 }, () => stream(first.url, 'test/slow'));
    const cut = Array.from({ length: 6 }, () => stream(first.url, 'test/endless'));
    await Promise.all([...finishing, ...cut].map((request) => request.committed));

    const signalledAt = Date.now();
    const exit = await stopWith(first, 'SIGINT');
    const stoppedAfterMs = Date.now() - signalledAt;
    const outcomes = await Promise.all([...finishing, ...cut].map((request) => request.done));

    expect(exit).toEqual({ code: 0, signal: null });
    expect(stoppedAfterMs).toBeLessThan(DRAIN_MS + EXIT_SLACK_MS);
    // The streams that could finish got their whole answer…
    for (const { text } of outcomes.slice(0, finishing.length)) {
      const events = sseEvents(text);
      expect(events.at(-1)).toBe('[DONE]');
      expect(events.some((event) => event.includes('"finish_reason":"stop"'))).toBe(true);
    }
    // …the others the in-band error a cut-off stream ends with, and the terminator.
    for (const { text } of outcomes.slice(finishing.length)) {
      const events = sseEvents(text);
      expect(events.at(-1)).toBe('[DONE]');
      const last = JSON.parse(events.at(-2) ?? '{}') as { error?: { code: number; message: string }; choices?: { finish_reason: string }[] };
      expect(last.error).toMatchObject({ code: 503, message: expect.stringMatching(/shutting down/) });
      expect(last.choices?.[0]?.finish_reason).toBe('error');
    }
    expect(first.log()).toMatch(/Stopping: waiting up to 3 s for 10 requests in flight/);
    expect(first.log()).toMatch(/Ended 6 requests still running/);
    expect(first.log()).not.toMatch(/ECONNREFUSED|failed/);

    // Nothing held, read before any gateway starts again: no hold, no lease, and the books balance.
    const account = await storedAccount();
    expect(account.holds).toEqual([]);
    expect(account.availableMicros).toBe(account.creditsMicros - account.spentMicros);

    // Every request has its record, and the charges are exactly what the records say.
    const second = await startLocal();
    const records = await Promise.all(outcomes.map(({ generationId }) => generation(second.url, generationId)));
    expect(records.map((record) => record.status)).toEqual(outcomes.map(() => 200));
    const costs = records.map((record) => Math.round(Number(record.data.total_cost) * 1_000_000));
    expect(costs.every((cost) => cost > 0)).toBe(true);
    expect(account.spentMicros).toBe(costs.reduce((sum, cost) => sum + cost, 0));
    expect(records.slice(finishing.length).every((record) => record.data.finish_reason === 'error')).toBe(true);
    expect(second.log()).not.toMatch(/released the credit holds/);
  });

  it('stops at once on a second Ctrl-C, and the next start releases what it held', async () => {
    const first = await startLocal();
    const cut = Array.from({ length: 3 }, () => stream(first.url, 'test/endless'));
    await Promise.all(cut.map((request) => request.committed));

    process.kill(-(first.child.pid as number), 'SIGINT');
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (/Stopping: waiting/.test(first.log())) resolve();
      };
      first.child.stdout?.on('data', check);
      check();
    });
    const exit = await stopWith(first, 'SIGINT');
    await Promise.allSettled(cut.map((request) => request.done));

    expect(exit.code).toBe(130);
    expect((await storedAccount()).holds.length).toBeGreaterThan(0);
    const second = await startLocal();
    expect(second.log()).toMatch(/released the credit holds of a gateway that stopped without settling them/);
    const credits = await creditsOf(second.url);
    expect(credits.data.reserved).toBe(0);
    expect(Math.round(credits.data.available * 1e6)).toBe(Math.round((credits.data.total_credits - credits.data.total_usage) * 1e6));
  });
});

describe('local mode after SIGKILL', () => {
  it('on its next start releases the holds and leases of its dead predecessor at once; every charge has its record, none twice', async () => {
    const first = await startLocal();
    // Some requests finish, and their charges reach the store (the lease's batches), some are in flight when it dies.
    const finished = await Promise.all(Array.from({ length: 5 }, () => stream(first.url, 'test/slow').done));
    await until(async () => (await creditsOf(first.url)).data.total_usage > 0);
    const inFlight = Array.from({ length: 4 }, () => stream(first.url, 'test/endless'));
    await Promise.all(inFlight.map((request) => request.committed));

    const exit = await stopWith(first, 'SIGKILL');
    await Promise.allSettled(inFlight.map((request) => request.done));

    expect(exit.signal).toBe('SIGKILL');
    const left = await storedAccount();
    // What the dead gateway held: its lease (and the requests' worst cases on it).
    expect(left.holds.length).toBeGreaterThan(0);
    expect(left.holds.every((hold) => hold.expiresAt > Date.now())).toBe(true);

    const second = await startLocal();
    expect(second.log()).toMatch(/released the credit holds of a gateway that stopped without settling them/);
    const credits = await creditsOf(second.url);
    expect(credits.data.reserved).toBe(0);
    expect(left.spentMicros).toBeGreaterThan(0);
    const spentMicros = Math.round(credits.data.total_usage * 1e6);
    expect(Math.round(credits.data.available * 1e6)).toBe(Math.round(credits.data.total_credits * 1e6) - spentMicros);
    expect(spentMicros).toBe(left.spentMicros);
    // Every charge has its record: what was charged is at most what the records that exist say, and each is charged once.
    const records = await Promise.all(finished.map(({ generationId }) => generation(second.url, generationId)));
    const recorded = records.filter((record) => record.status === 200).reduce((sum, record) => sum + Math.round(Number(record.data.total_cost) * 1e6), 0);
    expect(spentMicros).toBeLessThanOrEqual(recorded);

    // Stopped gracefully now, the second gateway leaves nothing held either.
    const exitSecond = await stopWith(second, 'SIGTERM');
    expect(exitSecond).toEqual({ code: 0, signal: null });
    const after = await storedAccount();
    expect(after.holds).toEqual([]);
    expect(after.spentMicros).toBe(spentMicros);
  });
});

describe('a JSON request in flight when the gateway stops', () => {
  it('gets a 503 saying the gateway is shutting down, is recorded and charged nothing', async () => {
    // Asked for one JSON reply (an OpenAI wire, a reply within settings.jsonUpstreamMaxTokens), which takes 25 s to come.
    const gateway = await startTestGateway({
      catalogDocument: testCatalog({ endless: { firstTokenMs: 0, tokensPerSecond: 4, outputTokens: 400 } }),
      settings: { shutdownDrainMs: 200 },
    });
    const reply = fetch(`${gateway.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
      body: JSON.stringify({ model: 'test/endless', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    await until(() => Promise.resolve(gateway.simulator.stats('endless').requests === 1));
    const usageDirectory = gateway.usageDirectory;

    const outcome = await gateway.shutdown();
    const response = await reply;

    expect(outcome).toEqual({ inFlight: 1, cut: 1, forced: 0 });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ error: { code: 503, message: expect.stringMatching(/shutting down/) } });
    const records = await usageRecords({ ...gateway, idle: () => Promise.resolve(), usageDirectory });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 503, error_code: 'server', cost_micros: 0, cancelled: false });
  });
});
