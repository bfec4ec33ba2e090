// Real usage records against the Glue table, field by field. Local mode
// writes the records the gateway makes (a streamed request, a JSON one, one
// served by a fallback, one that failed) in the layout Firehose writes; each
// must have exactly the table's columns, each value of its column's Hive type
// (int within 32 bits, bigint a safe integer, structs with exactly their
// fields), and each file must sit in a partition that the table's
// projection covers.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { PARTITION_KEYS, PARTITION_PROJECTION, USAGE_COLUMNS } from '../../infra/usage-layout.ts';
import { startTestGateway, testCatalog } from '../support/local-gateway.ts';

interface StoredRecord {
  /** `dt=…/hour=…`, relative to the usage folder. */
  partition: Record<string, string>;
  record: Record<string, unknown>;
}

type HiveType = { kind: 'scalar'; name: string } | { kind: 'array'; element: HiveType } | { kind: 'struct'; fields: Array<{ name: string; type: HiveType }> };

/** Parses the Hive type strings Glue columns use: `bigint`, `array<struct<a:string,b:int>>`. */
function parseHiveType(text: string): HiveType {
  let position = 0;
  const readName = (): string => {
    const match = /^[a-z_][a-z0-9_]*/i.exec(text.slice(position));
    if (match === null) throw new Error(`bad Hive type ${text} at ${position}`);
    position += match[0].length;
    return match[0];
  };
  const expect = (character: string): void => {
    if (text[position] !== character) throw new Error(`bad Hive type ${text}: expected ${character} at ${position}`);
    position += 1;
  };
  const readType = (): HiveType => {
    const name = readName();
    if (name === 'array') {
      expect('<');
      const element = readType();
      expect('>');
      return { kind: 'array', element };
    }
    if (name === 'struct') {
      expect('<');
      const fields: Array<{ name: string; type: HiveType }> = [];
      for (;;) {
        const field = readName();
        expect(':');
        fields.push({ name: field, type: readType() });
        if (text[position] === ',') position += 1;
        else break;
      }
      expect('>');
      return { kind: 'struct', fields };
    }
    return { kind: 'scalar', name };
  };
  const type = readType();
  if (position !== text.length) throw new Error(`bad Hive type ${text}: trailing ${text.slice(position)}`);
  return type;
}

/** Where `value` does not fit `type`, as `path: reason` lines; JSON null fits any column (the SerDe reads NULL). */
function misfits(value: unknown, type: HiveType, where: string): string[] {
  if (value === null) return [];
  switch (type.kind) {
    case 'array':
      return Array.isArray(value) ? value.flatMap((element, index) => misfits(element, type.element, `${where}[${index}]`)) : [`${where}: not an array`];
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${where}: not an object`];
      const keys = Object.keys(value);
      const names = type.fields.map((field) => field.name);
      const extra = keys.filter((key) => !names.includes(key)).map((key) => `${where}.${key}: not a field of the struct`);
      const missing = names.filter((name) => !keys.includes(name)).map((name) => `${where}.${name}: missing`);
      return [...extra, ...missing, ...type.fields.flatMap((field) => misfits((value as Record<string, unknown>)[field.name], field.type, `${where}.${field.name}`))];
    }
    case 'scalar':
      switch (type.name) {
        case 'string':
          return typeof value === 'string' ? [] : [`${where}: ${typeof value}, not a string`];
        case 'boolean':
          return typeof value === 'boolean' ? [] : [`${where}: ${typeof value}, not a boolean`];
        case 'int':
          return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1 ? [] : [`${where}: ${String(value)} is not a 32-bit int`];
        case 'bigint':
          return Number.isSafeInteger(value) ? [] : [`${where}: ${String(value)} is not an integer`];
        case 'double':
          return typeof value === 'number' ? [] : [`${where}: ${typeof value}, not a number`];
        default:
          return [`${where}: no check for Hive type ${type.name}`];
      }
  }
}

async function storedRecords(usageRoot: string): Promise<StoredRecord[]> {
  const found: StoredRecord[] = [];
  const walk = async (directory: string): Promise<void> => {
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.jsonl')) {
        const segments = path.relative(usageRoot, directory).split(path.sep);
        const partition = Object.fromEntries(segments.map((segment) => segment.split('=') as [string, string]));
        for (const line of (await readFile(full, 'utf8')).split('\n')) {
          if (line !== '') found.push({ partition, record: JSON.parse(line) as Record<string, unknown> });
        }
      }
    }
  };
  await walk(usageRoot);
  return found;
}

let gateway: LocalGateway;
let stored: StoredRecord[];

beforeAll(async () => {
  const document = testCatalog() as { providers: Record<string, unknown>; models: Array<Record<string, unknown>> };
  const fallbackModel = { id: 'test/fallback', name: 'Test Fallback', created: 1767225600, endpoints: [] as unknown[] };
  const [down, one] = [document.models.find((model) => model.id === 'test/down'), document.models.find((model) => model.id === 'test/one')];
  fallbackModel.endpoints = [...(down?.endpoints as unknown[]), ...(one?.endpoints as unknown[])];
  gateway = await startTestGateway({ catalogDocument: { ...document, models: [...document.models, fallbackModel] } });
  const chat = (body: Record<string, unknown>) =>
    fetch(`${gateway.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.keys.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi there' }], ...body }),
    }).then((response) => response.text());
  await chat({ model: 'test/one', stream: true, session_id: 'session-1', user: 'user-1' });
  await chat({ model: 'test/two' });
  await chat({ model: 'test/fallback', provider: { order: ['sim-down', 'sim-a'] } });
  await chat({ model: 'test/down', stream: true });
  await gateway.idle();
  stored = await storedRecords(gateway.usageDirectory);
});

afterAll(async () => {
  await gateway.close();
});

describe('usage records local mode writes, against the Glue table', () => {
  it('come from every kind of request: streamed, JSON, a fallback, a failure', () => {
    const records = stored.map((entry) => entry.record);
    expect(records).toHaveLength(4);
    expect(records.map((record) => record.streamed)).toEqual(expect.arrayContaining([true, false]));
    expect(records.some((record) => record.fallback === true && Array.isArray(record.attempts) && record.attempts.length === 2)).toBe(true);
    expect(records.some((record) => record.status === 502 && record.model === null)).toBe(true);
    expect(records.some((record) => record.session_id === 'session-1' && record.user === 'user-1')).toBe(true);
  });

  it('have exactly the columns of the table, in its order, and no partition key among them', () => {
    const columns = USAGE_COLUMNS.map((column) => column.name);
    for (const { record } of stored) expect(Object.keys(record)).toEqual(columns);
    for (const key of PARTITION_KEYS) expect(columns).not.toContain(key.name);
  });

  it('hold in each field a value of its column type, nested structs included', () => {
    for (const { record } of stored) {
      const problems = USAGE_COLUMNS.flatMap((column) => misfits(record[column.name], parseHiveType(column.type), `${String(record.id)}.${column.name}`));
      expect(problems).toEqual([]);
    }
    // The nested type is really checked: a record's attempts carry values in every field.
    const attempt = stored.flatMap(({ record }) => record.attempts as Array<Record<string, unknown>>).find((entry) => entry.error_code !== null);
    expect(attempt).toBeDefined();
    expect(misfits([{ ...attempt, status: 'x' }], parseHiveType(USAGE_COLUMNS.find((column) => column.name === 'attempts')?.type ?? ''), 'a')).not.toEqual([]);
  });

  it('sit in partitions the table projects: dt as its date format within its range, hour as two digits within 0..23', () => {
    const [lowest = '', highest = ''] = PARTITION_PROJECTION['projection.hour.range']?.split(',') ?? [];
    const digits = Number(PARTITION_PROJECTION['projection.hour.digits']);
    expect(PARTITION_PROJECTION['projection.dt.format']).toBe('yyyy-MM-dd');
    expect(PARTITION_PROJECTION['projection.dt.range']).toBe('NOW-2YEARS,NOW');
    const now = Date.now();
    const twoYearsAgo = new Date(now);
    twoYearsAgo.setUTCFullYear(twoYearsAgo.getUTCFullYear() - 2);
    for (const { partition, record } of stored) {
      expect(Object.keys(partition)).toEqual(PARTITION_KEYS.map((key) => key.name));
      const { dt = '', hour = '' } = partition;
      expect(dt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const day = Date.parse(`${dt}T00:00:00Z`);
      expect(day).toBeGreaterThanOrEqual(Date.UTC(twoYearsAgo.getUTCFullYear(), twoYearsAgo.getUTCMonth(), twoYearsAgo.getUTCDate()));
      expect(day).toBeLessThanOrEqual(now);
      expect(hour).toHaveLength(digits);
      expect(Number(hour)).toBeGreaterThanOrEqual(Number(lowest));
      expect(Number(hour)).toBeLessThanOrEqual(Number(highest));
      // The partition is the record's own UTC date and hour.
      expect(`${dt}T${hour}`).toBe(String(record.created_at).slice(0, 13));
    }
  });
});
