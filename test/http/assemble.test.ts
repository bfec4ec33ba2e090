// Adapters of the less common wire kinds load on their first request, so a
// cold start whose first request goes elsewhere does not parse them.
import { describe, expect, it } from 'vitest';
import { chatRequest } from '../../lib/api/chat-request.ts';
import { parseOrThrow } from '../../lib/api/validate.ts';
import { defaultCatalog } from '../../lib/catalog/catalog.ts';
import { adapterOnFirstUse } from '../../lib/http/assemble.ts';
import type { ProviderAdapter, ProviderCall } from '../../lib/providers/types.ts';
import type { StreamEvent } from '../../lib/streaming/events.ts';

function providerCall(): ProviderCall {
  const endpoint = defaultCatalog().endpoints[0];
  if (endpoint === undefined) throw new Error('the default catalog has no endpoint');
  return {
    request: parseOrThrow(chatRequest, { model: endpoint.modelId, messages: [{ role: 'user', content: 'hi' }] }),
    endpoint,
    stream: true,
    maxTokens: 16,
    credential: undefined,
    signal: new AbortController().signal,
    fetch: () => Promise.reject(new Error('no network in this test')),
  };
}

async function* events(): AsyncIterable<StreamEvent> {
  yield { type: 'text', text: 'ok' };
}

/** An adapter that records the calls it was given. */
function recordingAdapter(calls: ProviderCall[]): ProviderAdapter {
  return {
    send(call) {
      calls.push(call);
      return Promise.resolve(events());
    },
  };
}

describe('adapterOnFirstUse', () => {
  it('loads nothing until the first request, then loads once for concurrent requests and forwards each call', async () => {
    const calls: ProviderCall[] = [];
    let loads = 0;
    const adapter = adapterOnFirstUse(async () => {
      loads++;
      return recordingAdapter(calls);
    });
    expect(loads).toBe(0);

    const call = providerCall();
    await Promise.all([adapter.send(call), adapter.send(call), adapter.send(call)]);

    expect(loads).toBe(1);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toBe(call);
  });

  it('tries the load again on the next request after a failed one', async () => {
    const calls: ProviderCall[] = [];
    let loads = 0;
    const adapter = adapterOnFirstUse(async () => {
      loads++;
      if (loads === 1) throw new Error('chunk missing');
      return recordingAdapter(calls);
    });

    await expect(adapter.send(providerCall())).rejects.toThrow('chunk missing');
    await adapter.send(providerCall());

    expect(loads).toBe(2);
    expect(calls).toHaveLength(1);
  });
});
