// Everything the gateway needs from outside, handed in by the edge (the
// Lambda shell or the local server). No module-level singletons in lib/.
import type { CreditLedger } from '../billing/credit-ledger.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { KeyCache } from '../keys/key-cache.ts';
import type { Adapters, Credentials, EmbeddingAdapters, Fetch } from '../providers/types.ts';
import type { HealthView, StickySessions } from '../routing/plan.ts';
import type { Settings } from '../settings.ts';
import type { Table } from '../store/dynamo.ts';
import type { GenerationWriter } from '../store/generations.ts';
import type { TokenCounters } from '../tokens/token-counters.ts';
import type { UsageSink } from '../usage/record.ts';

/** Health as the request path sees it: a synchronous view, and outcomes to record. */
export interface HealthRecorder extends HealthView {
  recordSuccess(endpointId: string, sample: { latencyMs: number; tokensPerSecond: number | undefined }): void;
  recordFailure(endpointId: string, failure: { status: number; errorType: string }): void;
}

export type Log = (entry: Record<string, unknown>) => void;

export interface GatewayDeps {
  catalog: Catalog;
  adapters: Adapters;
  /** The wires' embeddings APIs, for POST /embeddings. */
  embeddingAdapters: EmbeddingAdapters;
  credentials: Credentials;
  table: Table;
  keys: KeyCache;
  /** Admits requests against the balance and settles them (lib/billing/credit-ledger.ts). */
  ledger: CreditLedger;
  /** Generation records, written in batches. */
  generations: GenerationWriter;
  usageSink: UsageSink;
  health: HealthRecorder;
  sticky: StickySessions;
  /** Tokenizers, loaded on first use: only for a reply whose provider reported no usage. */
  tokenCounters: TokenCounters;
  fetch: Fetch;
  now: () => number;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  generationId: () => string;
  settings: Settings;
  log: Log;
  /** Work that must finish before the runtime may freeze (settlement, records). */
  waitUntil: (task: Promise<unknown>) => void;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SUFFIX_LENGTH = 20;
/** Random bytes drawn at once: one call to the system's generator per 200 ids, not one per id. */
const POOL_BYTES = SUFFIX_LENGTH * 200;

/**
 * Ids as OpenRouter's look: `gen-<unix seconds>-<20 letters and digits>`.
 * Each maker draws its random bytes in blocks.
 */
export function createGenerationIds(): (now: number) => string {
  const pool = new Uint8Array(POOL_BYTES);
  let used = POOL_BYTES;
  return (now) => {
    if (used === POOL_BYTES) {
      crypto.getRandomValues(pool);
      used = 0;
    }
    let suffix = '';
    for (let index = 0; index < SUFFIX_LENGTH; index += 1) suffix += ALPHANUMERIC[(pool[used + index] as number) % ALPHANUMERIC.length];
    used += SUFFIX_LENGTH;
    return `gen-${Math.floor(now / 1000)}-${suffix}`;
  };
}
