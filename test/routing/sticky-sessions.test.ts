import { describe, expect, it } from 'vitest';
import { chatRequest } from '../../lib/api/chat-request.ts';
import { createStickySessions, sessionKeyFor } from '../../lib/routing/plan.ts';
import { fixedHealth, NOW, planIds, request } from './support/routing-fixtures.ts';

const MINUTE = 60_000;
const beta = 'test/chat@beta';

describe('sticky sessions in the plan', () => {
  it('puts the remembered endpoint first while it is healthy', () => {
    const sticky = createStickySessions();
    sticky.set('session-1', 'test/chat', beta, NOW);
    expect(planIds({ sticky, sessionKey: 'session-1' })[0]).toBe(beta);
    // Another session, or none, is balanced as usual (random() = 0 picks alpha).
    expect(planIds({ sticky, sessionKey: 'session-2' })[0]).toBe('test/chat@alpha');
    expect(planIds({ sticky, sessionKey: undefined })[0]).toBe('test/chat@alpha');
  });

  it('moves off the remembered endpoint when it is degraded or just failed', () => {
    const sticky = createStickySessions();
    sticky.set('session-1', 'test/chat', beta, NOW);
    expect(planIds({ sticky, sessionKey: 'session-1', health: fixedHealth({ [beta]: { degraded: true } }) })).toEqual([
      'test/chat@alpha',
      'test/chat@gamma',
      beta,
    ]);
    expect(planIds({ sticky, sessionKey: 'session-1', health: fixedHealth({ [beta]: { lastFailureAt: NOW - 1000 } }) })[0]).toBe(
      'test/chat@alpha',
    );
  });

  it('is scoped per model', () => {
    const sticky = createStickySessions();
    sticky.set('session-1', 'test/other', 'test/other@alpha', NOW);
    expect(planIds({ sticky, sessionKey: 'session-1' })[0]).toBe('test/chat@alpha');
    expect(planIds({ sticky, sessionKey: 'session-1', request: request({ model: 'test/other' }) })[0]).toBe('test/other@alpha');
  });

  it('ignores a remembered endpoint the filters removed', () => {
    const sticky = createStickySessions();
    sticky.set('session-1', 'test/chat', beta, NOW);
    expect(planIds({ sticky, sessionKey: 'session-1', request: request({ provider: { ignore: ['beta'] } }) })[0]).toBe('test/chat@alpha');
  });

  it('is disabled by `order` and by `sort`', () => {
    const sticky = createStickySessions();
    sticky.set('session-1', 'test/chat', beta, NOW);
    expect(planIds({ sticky, sessionKey: 'session-1', request: request({ provider: { order: ['gamma'] } }) })[0]).toBe('test/chat@gamma');
    expect(planIds({ sticky, sessionKey: 'session-1', request: request({ provider: { sort: 'price' } }) })[0]).toBe('test/chat@alpha');
    expect(planIds({ sticky, sessionKey: 'session-1', request: request({ model: 'test/chat:floor' }) })[0]).toBe('test/chat@alpha');
  });
});

describe('createStickySessions', () => {
  it('forgets an entry after 10 idle minutes', () => {
    const sticky = createStickySessions();
    sticky.set('s', 'm', 'm@a', NOW);
    expect(sticky.get('s', 'm', NOW + 10 * MINUTE - 1)).toBe('m@a');
    expect(sticky.get('s', 'm', NOW + 10 * MINUTE)).toBeUndefined();
  });

  it('refreshes on set, not on get', () => {
    const sticky = createStickySessions();
    sticky.set('s', 'm', 'm@a', NOW);
    sticky.set('s', 'm', 'm@a', NOW + 9 * MINUTE);
    expect(sticky.get('s', 'm', NOW + 15 * MINUTE)).toBe('m@a');
    expect(sticky.get('s', 'm', NOW + 19 * MINUTE)).toBeUndefined();
  });

  it('forgets on request', () => {
    const sticky = createStickySessions();
    sticky.set('s', 'm', 'm@a', NOW);
    sticky.forget('s', 'm');
    expect(sticky.get('s', 'm', NOW)).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the least recently set', () => {
    const sticky = createStickySessions({ maxEntries: 2 });
    sticky.set('a', 'm', 'm@1', NOW);
    sticky.set('b', 'm', 'm@2', NOW);
    sticky.set('a', 'm', 'm@1', NOW + 1);
    sticky.set('c', 'm', 'm@3', NOW + 2);
    expect(sticky.get('b', 'm', NOW + 3)).toBeUndefined();
    expect(sticky.get('a', 'm', NOW + 3)).toBe('m@1');
    expect(sticky.get('c', 'm', NOW + 3)).toBe('m@3');
  });

  it('does not confuse keys that contain separators', () => {
    const sticky = createStickySessions();
    sticky.set('a:b', 'c', 'x', NOW);
    expect(sticky.get('a', 'b:c', NOW)).toBeUndefined();
  });

  it('honours a custom idle time', () => {
    const sticky = createStickySessions({ idleMs: 1000 });
    sticky.set('s', 'm', 'm@a', NOW);
    expect(sticky.get('s', 'm', NOW + 1000)).toBeUndefined();
  });
});

describe('sessionKeyFor', () => {
  const base = { model: 'test/chat', messages: [{ role: 'user', content: 'hi' }] };
  const headers = new Headers({ 'x-session-id': 'from-header' });

  it('prefers the body session_id, then x-session-id, then prompt_cache_key', () => {
    expect(sessionKeyFor(chatRequest.parse({ ...base, session_id: 'body', prompt_cache_key: 'pck' }), headers)).toBe('body');
    expect(sessionKeyFor(chatRequest.parse({ ...base, prompt_cache_key: 'pck' }), headers)).toBe('from-header');
    expect(sessionKeyFor(chatRequest.parse({ ...base, prompt_cache_key: 'pck' }), new Headers())).toBe('pck');
    expect(sessionKeyFor(chatRequest.parse(base), new Headers())).toBeUndefined();
  });

  it('skips blank and oversized values', () => {
    expect(sessionKeyFor(chatRequest.parse({ ...base, session_id: '  ' }), headers)).toBe('from-header');
    expect(sessionKeyFor(chatRequest.parse(base), new Headers({ 'x-session-id': 'x'.repeat(257) }))).toBeUndefined();
  });
});
