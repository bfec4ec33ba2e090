// Local mode's usage sink: the same records Firehose would deliver, as JSON
// lines in the same layout (usage/dt=YYYY-MM-DD/hour=HH/), so the same
// queries run over them with DuckDB.
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { UsageRecord, UsageSink } from '../lib/usage/record.ts';

export function usagePartition(createdAt: string): string {
  return `dt=${createdAt.slice(0, 10)}/hour=${createdAt.slice(11, 13)}`;
}

export function createFileUsageSink(directory: string): UsageSink & { directory: string } {
  // Appends run one after another so lines never interleave.
  let queue: Promise<void> = Promise.resolve();
  const append = async (record: UsageRecord): Promise<void> => {
    const folder = path.join(directory, usagePartition(record.created_at));
    await mkdir(folder, { recursive: true });
    await appendFile(path.join(folder, 'usage.jsonl'), `${JSON.stringify(record)}\n`);
  };
  return {
    directory,
    write(record) {
      const next = queue.then(() => append(record));
      queue = next.catch((error: unknown) => {
        // Last resort: the record goes to the log rather than nowhere.
        console.error(JSON.stringify({ level: 'error', message: 'usage record not written', error: String(error), record }));
      });
      return next;
    },
    flush() {
      return queue;
    },
  };
}
