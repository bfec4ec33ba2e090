// Local mode's usage sink: the same records Firehose would deliver, as JSON
// lines in the same layout (usage/dt=YYYY-MM-DD/hour=HH/), so the same
// queries run over them with DuckDB.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { UsageRecord, UsageSink } from '../lib/usage/record.ts';

export function usagePartition(createdAt: string): string {
  return `dt=${createdAt.slice(0, 10)}/hour=${createdAt.slice(11, 13)}`;
}

interface Waiting {
  record: UsageRecord;
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function createFileUsageSink(directory: string): UsageSink & { directory: string; close(): Promise<void> } {
  // One writer at a time, so lines never interleave; records that arrive
  // while it writes wait in `waiting` and go out together in one append per
  // file, rather than one append (and one promise chained on the last) per
  // record. The current hour's file stays open, the previous one is closed
  // when a new one starts.
  let waiting: Waiting[] = [];
  let writing: Promise<void> | undefined;
  let current: { file: string; handle: FileHandle } | undefined;
  const fileFor = async (partition: string): Promise<FileHandle> => {
    const folder = path.join(directory, partition);
    const file = path.join(folder, 'usage.jsonl');
    if (current?.file === file) return current.handle;
    await current?.handle.close();
    current = undefined;
    await mkdir(folder, { recursive: true });
    current = { file, handle: await open(file, 'a') };
    return current.handle;
  };
  const writeGroup = async (group: Waiting[]): Promise<void> => {
    const first = group[0];
    if (first === undefined) return;
    try {
      const handle = await fileFor(usagePartition(first.record.created_at));
      await handle.appendFile(group.map((entry) => entry.line).join(''));
      for (const entry of group) entry.resolve();
    } catch (error) {
      for (const entry of group) {
        // Last resort: the record goes to the log rather than nowhere.
        console.error(JSON.stringify({ level: 'error', message: 'usage record not written', error: String(error), record: entry.record }));
        entry.reject(error);
      }
    }
  };
  const writeWaiting = async (): Promise<void> => {
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      // Consecutive records of the same hour share a file and an append.
      let group: Waiting[] = [];
      for (const entry of batch) {
        const previous = group[0];
        if (previous !== undefined && usagePartition(previous.record.created_at) !== usagePartition(entry.record.created_at)) {
          await writeGroup(group);
          group = [];
        }
        group.push(entry);
      }
      await writeGroup(group);
    }
  };
  const startWriting = (): Promise<void> => {
    writing ??= writeWaiting().finally(() => {
      writing = undefined;
    });
    return writing;
  };
  const flush = async (): Promise<void> => {
    while (writing !== undefined || waiting.length > 0) await startWriting();
  };
  return {
    directory,
    write(record) {
      const written = new Promise<void>((resolve, reject) => {
        waiting.push({ record, line: `${JSON.stringify(record)}\n`, resolve, reject });
      });
      void startWriting();
      return written;
    },
    flush,
    async close() {
      await flush();
      await current?.handle.close();
      current = undefined;
    },
  };
}
