// cli/simulator.ts: the simulator standalone, from a catalog file or the
// default catalog, and as a process.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../cli/simulator.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const instantHeaders = { 'content-type': 'application/json', 'x-simulator-first-token-ms': '0', 'x-simulator-tokens-per-second': '0' };

describe('cli/simulator', () => {
  const directories: string[] = [];
  afterAll(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it('serves the simulated providers of a catalog file at <url>/<provider id>', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'switchyard-simulator-'));
    directories.push(directory);
    const catalogFile = path.join(directory, 'catalog.json');
    await writeFile(
      catalogFile,
      JSON.stringify({
        providers: {
          'drill-gemini': { name: 'Drill Gemini', kind: 'gemini', simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 3 } },
          'real-openai': { name: 'OpenAI', kind: 'openai', baseUrl: 'https://api.openai.com/v1' },
        },
        models: [],
      }),
    );
    const running = await startSimulator({ catalogFile });
    try {
      expect(running.providers).toEqual([{ id: 'drill-gemini', name: 'Drill Gemini', kind: 'gemini', baseUrl: `${running.url}/drill-gemini` }]);
      const response = await fetch(`${running.url}/drill-gemini/v1beta/models/gemini-drill:generateContent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hello' }] }] }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 3 } });
      expect(running.simulator.stats('drill-gemini')).toEqual({ requests: 1, completed: 1, aborted: 0, failed: 0 });
    } finally {
      await running.close();
    }
  });

  it('serves the default catalog’s simulated providers, failures included', async () => {
    const running = await startSimulator();
    try {
      expect(running.providers.map((provider) => provider.id)).toEqual(expect.arrayContaining(['simulator', 'simulator-anthropic', 'simulator-flaky']));
      const flaky = await fetch(`${running.url}/simulator-flaky/chat/completions`, {
        method: 'POST',
        headers: instantHeaders,
        body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(flaky.status).toBe(503);
      await flaky.text();
    } finally {
      await running.close();
    }
  });

  it('runs as a process that prints its URL and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/simulator.ts', '--port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (data: Buffer) => {
          output += data.toString();
          const match = /listening on (http:\/\/[\d.:]+)/.exec(output);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`simulator exited (${String(code)}) before listening: ${output}`)));
      });
      const response = await fetch(`${url}/simulator-anthropic/v1/messages`, {
        method: 'POST',
        headers: instantHeaders,
        body: JSON.stringify({ model: 'claude-sim', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ type: 'message', stop_reason: 'max_tokens', usage: { output_tokens: 4 } });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
