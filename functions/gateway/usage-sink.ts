// Usage records go out after a response's last byte, never before the first
// one: the Firehose client, and the SDK code behind it, load on first use
// (a separate chunk of the bundle), so a cold start does not parse them.
import type { UsageRecord, UsageSink } from '../../lib/usage/record.ts';

export interface LazyFirehoseSinkOptions {
  streamName: string;
  /** The log entry of a record Firehose never accepted (it holds the whole record, so it can be replayed). */
  log: (entry: Record<string, unknown>) => void;
  onUndelivered?: (reason: string) => void;
}

export function lazyFirehoseSink(options: LazyFirehoseSinkOptions): UsageSink {
  let sink: Promise<UsageSink> | undefined;
  const load = (): Promise<UsageSink> => {
    sink ??= (async () => {
      const [{ FirehoseClient }, { createFirehoseSink }] = await Promise.all([import('@aws-sdk/client-firehose'), import('../../lib/usage/firehose-sink.ts')]);
      return createFirehoseSink({
        client: new FirehoseClient({}),
        streamName: options.streamName,
        log: options.log,
        onUndelivered: options.onUndelivered,
      });
    })().catch((error: unknown) => {
      // Not cached: the next record tries the load again.
      sink = undefined;
      throw error;
    });
    return sink;
  };
  return {
    async write(record: UsageRecord) {
      await (await load()).write(record);
    },
    async flush() {
      // Nothing was written, so nothing is buffered: no reason to load the client.
      if (sink === undefined) return;
      await (await sink).flush();
    },
  };
}
