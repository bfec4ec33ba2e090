// No path reads the whole table (DESIGN decision 15, STYLE point 12): every
// read goes by key or by the listing index. Read from the source, so a new
// Scan is caught the day it lands. The two exceptions are one-time
// migrations that must see every item, run by hand or once at start-up,
// never on a request, the management API or a schedule.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repository = resolve(import.meta.dirname, '../..');

const ONE_TIME_MIGRATIONS = [
  // Gives account and key items of a table from before the listing index their attributes (`switchyard backfill-listing`).
  'lib/store/listing-backfill.ts',
  // Copies a local data folder's table from before the listing index into one with it (dynalite cannot add an index).
  'cli/local-dynamo.ts',
];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('reads of the table', () => {
  it('never scan it, outside the one-time migrations', () => {
    const scanning = ['lib', 'functions', 'cli', 'infra']
      .flatMap((folder) => sourceFiles(join(repository, folder)))
      .filter((file) => /\bScanCommand\b|\bdynamodb:Scan\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(repository, file));
    expect(scanning.sort()).toEqual([...ONE_TIME_MIGRATIONS].sort());
  });
});
