// Builders for the fixture expectations. The values in the expectation files
// were worked out from the fixture files independently of the adapter: text
// and arguments joined from the deltas, usage summed from the counts.
import type { ErrorType } from '../../../../lib/api/errors.ts';
import type { Usage } from '../../../../lib/streaming/events.ts';
import type { EventSummary } from '../support/event-summary.ts';

export function expected(partial: Partial<EventSummary> & Pick<EventSummary, 'end'>): EventSummary {
  return { upstreamId: undefined, text: '', textEvents: 0, reasoning: [], encrypted: [], toolCalls: [], ...partial };
}

export interface TokenCounts {
  prompt: number;
  completion: number;
  cached: number;
  cacheWrite: number;
}

export function finish(nativeReason: string, reason: string, tokens: TokenCounts, more: Partial<Usage> = {}): EventSummary['end'] {
  return {
    type: 'finish',
    reason,
    nativeReason,
    usage: {
      promptTokens: tokens.prompt,
      completionTokens: tokens.completion,
      cachedTokens: tokens.cached,
      cacheWriteTokens: tokens.cacheWrite,
      reasoningTokens: 0,
      ...more,
    },
  };
}

export function failure(status: number, errorType: ErrorType, retryable: boolean): EventSummary['end'] {
  return { type: 'error', status, errorType, retryable };
}

export interface ErrorExpectation {
  status: number;
  type: ErrorType;
  retryable: boolean;
  providerCode: string;
  /** The message a caller sees, when it must be exactly this. */
  publicMessage?: string;
}

