// Local mode's usage sink: the same records Firehose would deliver, as JSON
// lines in the same layout (usage/dt=YYYY-MM-DD/hour=HH/), so the same
// queries run over them with DuckDB.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { UsageRecord, UsageSink } from '../lib/usage/record.ts';

export function usagePartition(createdAt: string): string {
  return `dt=${createdAt.slice(0, 10)}/hour=${createdAt.slice(11, 13)}`;
}

export function createFileUsageSink(directory: string): UsageSink & { directory: string; close(): Promise<void> } {
  // Appends run one after another so lines never interleave; the current
  // hour's file stays open, the previous hour's is closed when a new one starts.
  let queue: Promise<void> = Promise.resolve();
  let current: { file: string; handle: FileHandle } | undefined;
  const fileFor = async (record: UsageRecord): Promise<FileHandle> => {
    const folder = path.join(directory, usagePartition(record.created_at));
    const file = path.join(folder, 'usage.jsonl');
    if (current?.file === file) return current.handle;
    await current?.handle.close();
    current = undefined;
    await mkdir(folder, { recursive: true });
    current = { file, handle: await open(file, 'a') };
    return current.handle;
  };
  const append = async (record: UsageRecord): Promise<void> => {
    const handle = await fileFor(record);
    await handle.appendFile(`${JSON.stringify(record)}\n`);
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
    async close() {
      await queue;
      await current?.handle.close();
      current = undefined;
    },
  };
}
