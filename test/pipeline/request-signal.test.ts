// The request's signal: the client leaving or the deadline aborts it, and a
// finished request lets go of both (no timer left running for 14 minutes).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { requestSignal } from '../../lib/pipeline/request-signal.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('requestSignal', () => {
  it('aborts with the edge signal’s reason when the client goes away', () => {
    const edge = new AbortController();
    const { signal } = requestSignal(edge.signal, 60_000);

    edge.abort(new Error('client gone'));

    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('client gone');
  });

  it('aborts with a TimeoutError when the deadline passes', () => {
    const { signal } = requestSignal(new AbortController().signal, 60_000);

    vi.advanceTimersByTime(59_999);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);

    expect(signal.aborted).toBe(true);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('is born aborted when the edge signal already is', () => {
    const edge = new AbortController();
    edge.abort('gone');
    expect(requestSignal(edge.signal, 60_000).signal.aborted).toBe(true);
  });

  it('once released keeps no timer and no listener', () => {
    const edge = new AbortController();
    const { signal, release } = requestSignal(edge.signal, 60_000);

    release();

    expect(vi.getTimerCount()).toBe(0);
    edge.abort('gone');
    vi.advanceTimersByTime(120_000);
    expect(signal.aborted).toBe(false);
  });
});
