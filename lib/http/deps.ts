// Everything the gateway needs from outside, handed in by the edge (the
// Lambda shell or the local server). No module-level singletons in lib/.
import type { CreditLedger } from '../billing/credit-ledger.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { KeyCache } from '../keys/key-cache.ts';
import type { Adapters, Credentials, Fetch } from '../providers/types.ts';
import type { HealthView, StickySessions } from '../routing/plan.ts';
import type { Settings } from '../settings.ts';
import type { Table } from '../store/dynamo.ts';
import type { GenerationWriter } from '../store/generations.ts';
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

/** `gen-<unix seconds>-<20 letters and digits>`, as OpenRouter's ids look. */
export function newGenerationId(now: number = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  let suffix = '';
  for (const byte of bytes) suffix += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return `gen-${Math.floor(now / 1000)}-${suffix}`;
}
