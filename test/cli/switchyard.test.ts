// The admin CLI as a user runs it: a child process (`node --import tsx
// cli/switchyard.ts …`) against a local gateway started here, through the
// management API; tables by default, JSON with --json, one clear line for a
// wrong URL or key.
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { startTestGateway, usageRecords } from '../support/local-gateway.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
let gateway: LocalGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.close();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function switchyard(args: string[], env: Record<string, string> = {}, entry = ['--import', 'tsx', 'cli/switchyard.ts']): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...entry, ...args],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SWITCHYARD_URL: gateway.url, SWITCHYARD_MANAGEMENT_KEY: gateway.keys.managementKey, ...env },
        timeout: 30_000,
      },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
  });
}

const chat = (apiKey: string) =>
  fetch(`${gateway.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'test/one', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5 }),
  });

describe('switchyard CLI', () => {
  it('creates, lists, disables, enables and deletes a key', { timeout: 90_000 }, async () => {
    const created = await switchyard(['--json', 'keys', 'create', 'cli test key', '--limit', '2.5', '--limit-reset', 'daily', '--rpm', '100']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const { data, key } = JSON.parse(created.stdout) as { data: { hash: string; limit: number; limit_reset: string; requests_per_minute: number }; key: string };
    expect(key).toMatch(/^sk-sy-v1-[0-9a-f]{64}$/);
    expect(data).toMatchObject({ limit: 2.5, limit_reset: 'daily', requests_per_minute: 100 });
    expect((await chat(key)).status).toBe(200);
    const short = data.hash.slice(0, 12);

    const listed = await switchyard(['keys', 'list']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^HASH\s+NAME\s+LABEL\s+STATUS\s+LIMIT\s+REMAINING\s+USAGE\s+RPM\s+EXPIRES\s+CREATED$/);
    const row = lines.find((line) => line.startsWith(short));
    expect(row).toMatch(new RegExp(`^${short}\\s+cli test key\\s+sk-sy-v1-[0-9a-f]{3}\\.\\.\\.[0-9a-f]{4}\\s+active\\s+\\$2\\.50/daily\\s+\\$2\\.\\d+\\s+\\$0\\.\\d+\\s+100\\s+-\\s+\\d{4}-`));
    // Columns line up: every row puts NAME where the header does.
    const nameColumn = (lines[0] as string).indexOf('NAME');
    for (const line of lines.slice(1)) expect(line.slice(nameColumn - 2, nameColumn)).toBe('  ');

    const disabled = await switchyard(['keys', 'disable', short.slice(0, 8)]);
    expect(disabled).toMatchObject({ code: 0, stdout: `Disabled key "cli test key" (${short}).\n` });
    expect((await chat(key)).status).toBe(403);
    const hidden = await switchyard(['--json', 'keys', 'list']);
    expect((JSON.parse(hidden.stdout) as { data: { hash: string }[] }).data.map((entry) => entry.hash)).not.toContain(data.hash);
    const enabled = await switchyard(['keys', 'enable', data.hash]);
    expect(enabled.stdout).toBe(`Enabled key "cli test key" (${short}).\n`);
    expect((await chat(key)).status).toBe(200);

    const deleted = await switchyard(['keys', 'delete', short]);
    expect(deleted).toMatchObject({ code: 0, stdout: `Deleted key ${short}.\n` });
    expect((await chat(key)).status).toBe(401);
  });

  it('adds and shows credits, and shows spend per key', { timeout: 90_000 }, async () => {
    expect((await chat(gateway.keys.apiKey)).status).toBe(200);
    const records = await usageRecords(gateway);
    const spent = records.filter((record) => record.account_id === gateway.keys.accountId).reduce((sum, record) => sum + record.cost_micros, 0);
    const before = JSON.parse((await switchyard(['--json', 'credits', 'show'])).stdout) as { data: { total_credits: number; total_usage: number } };
    expect(before.data.total_usage).toBe(spent / 1e6);

    const added = await switchyard(['credits', 'add', '2.50']);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^Added \$2\.50\.\n\nACCOUNT\s+USD\ncredits\s+\$\d+\.\d+\n/);
    const after = JSON.parse((await switchyard(['--json', 'credits', 'show'])).stdout) as { data: { total_credits: number } };
    expect(after.data.total_credits).toBeCloseTo(before.data.total_credits + 2.5, 9);

    const spend = await switchyard(['spend']);
    expect(spend.code).toBe(0);
    const lines = spend.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^HASH\s+NAME\s+TODAY\s+THIS WEEK\s+THIS MONTH\s+TOTAL\s+LIMIT LEFT$/);
    expect(lines.find((line) => line.includes('local development key'))).toMatch(/\$0\.\d+\s+\$0\.\d+\s+\$0\.\d+\s+\$0\.\d+\s+-$/);
    expect(lines.at(-1)).toMatch(/^\s+all keys\s+\$0\.\d+/);
  });

  it('says clearly when the URL or the key is wrong', { timeout: 90_000 }, async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const [unreachable, wrongKey, noKey, help] = await Promise.all([
      switchyard(['keys', 'list', '--url', `http://127.0.0.1:${port}`]),
      switchyard(['keys', 'list'], { SWITCHYARD_MANAGEMENT_KEY: gateway.keys.apiKey }),
      switchyard(['keys', 'list'], { SWITCHYARD_MANAGEMENT_KEY: '' }),
      switchyard(['--help'], {}, ['cli/bin.mjs']),
    ]);
    expect(unreachable).toMatchObject({ code: 1, stdout: '', stderr: `switchyard: cannot reach http://127.0.0.1:${port}: is the gateway running?\n` });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/^switchyard: the gateway refused the key \(403\): This endpoint needs a management key/);
    expect(wrongKey.stderr).not.toContain(gateway.keys.apiKey);
    expect(noKey).toMatchObject({ code: 1, stderr: expect.stringContaining('no management key: pass --key') });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/keys[\s\S]*credits[\s\S]*spend[\s\S]*analytics[\s\S]*bootstrap/);
    expect(help.stdout).toContain('SWITCHYARD_URL');
  });
});
