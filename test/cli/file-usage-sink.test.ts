import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFileUsageSink, usagePartition } from '../../cli/file-usage-sink.ts';
import type { UsageRecord } from '../../lib/usage/record.ts';
import { usageRecord } from '../support/usage-record.ts';

const record = (id: string, createdAt: string): UsageRecord => usageRecord(id, { created_at: createdAt });

const idsIn = async (file: string): Promise<string[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { id: string }).id);

describe('file usage sink', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'switchyard-usage-sink-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(directory, { recursive: true, force: true });
  });

  it('writes records that arrive together as whole lines, in order, each in its hour', async () => {
    const sink = createFileUsageSink(directory);
    const hourOne = '2026-03-01T10:59:59.000Z';
    const hourTwo = '2026-03-01T11:00:00.000Z';
    const records = Array.from({ length: 120 }, (_, index) => record(`gen-${index}`, index % 3 === 2 ? hourTwo : hourOne));

    await Promise.all(records.map((each) => sink.write(each)));
    await sink.close();

    const first = await idsIn(path.join(directory, usagePartition(hourOne), 'usage.jsonl'));
    const second = await idsIn(path.join(directory, usagePartition(hourTwo), 'usage.jsonl'));
    expect(first).toEqual(records.filter((each) => each.created_at === hourOne).map((each) => each.id));
    expect(second).toEqual(records.filter((each) => each.created_at === hourTwo).map((each) => each.id));
    expect(usagePartition(hourTwo)).toBe('dt=2026-03-01/hour=11');
  });

  it('keeps appending after a flush, and flush waits for records still waiting', async () => {
    const sink = createFileUsageSink(directory);
    const hour = '2026-03-01T12:30:00.000Z';
    void sink.write(record('gen-a', hour));
    await sink.flush();
    void sink.write(record('gen-b', hour));
    void sink.write(record('gen-c', hour));
    await sink.flush();

    expect(await idsIn(path.join(directory, usagePartition(hour), 'usage.jsonl'))).toEqual(['gen-a', 'gen-b', 'gen-c']);
    await sink.close();
  });

  it('rejects a record it cannot write and logs it rather than losing it, then goes on', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void logged.push(String(line)));
    // A file where the hour's folder should be: mkdir fails for that hour only.
    await writeFile(path.join(directory, 'dt=2026-03-02'), 'not a folder');
    const sink = createFileUsageSink(directory);

    await expect(sink.write(record('gen-lost', '2026-03-02T08:00:00.000Z'))).rejects.toThrow();
    await sink.write(record('gen-kept', '2026-03-03T08:00:00.000Z'));
    await sink.close();

    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] ?? '{}')).toMatchObject({ level: 'error', message: 'usage record not written', record: { id: 'gen-lost' } });
    expect(await idsIn(path.join(directory, 'dt=2026-03-03/hour=08', 'usage.jsonl'))).toEqual(['gen-kept']);
  });
});
