import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  isRetryableStatus,
  nextWait,
  retryAfterMs,
  retryDecision,
  type RetryPolicy,
} from './retry.js';

const policy = (sleeps: number[], attempts = 4): RetryPolicy => ({
  attempts,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  sleep: async (ms) => void sleeps.push(ms),
  random: () => 0.5,
});

describe('retry', () => {
  it('retries 5xx, 429 and 408 but no other 4xx', () => {
    for (const status of [500, 502, 503, 504, 429, 408]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 501]) expect(isRetryableStatus(status)).toBe(false);
  });

  it('backs off exponentially with jitter under the cap', () => {
    const p = policy([]);
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(p, n))).toEqual([50, 100, 200, 400, 500]);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('decides each failure: waits as Retry-After asks, gives up when it asks more than the cap', () => {
    const p = policy([]);
    expect(nextWait(p, 1, { statusCode: 429, headers: { 'retry-after': '1' } })).toBe(1000);
    expect(nextWait(p, 1, { statusCode: 503, headers: { 'retry-after': '5' } })).toBeUndefined();
    expect(nextWait(p, 2, { statusCode: 503 })).toBe(100);
    expect(nextWait(p, 1, { statusCode: 404 })).toBeUndefined();
  });

  it('retries transient network errors only, and stops when attempts run out', () => {
    const p = policy([], 3);
    expect(nextWait(p, 1, { code: 'ECONNRESET' })).toBe(50);
    expect(nextWait(p, 2, { code: 'UND_ERR_HEADERS_TIMEOUT' })).toBe(100);
    expect(nextWait(p, 3, { code: 'ECONNRESET' })).toBeUndefined();
    expect(nextWait(p, 1, { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })).toBeUndefined();
    expect(nextWait(p, 1, {})).toBeUndefined();
  });

  it('hands undici its decision after the wait, or the error to give up with', async () => {
    const sleeps: number[] = [];
    const decide = retryDecision(policy(sleeps));
    const outcome = (error: Error, counter: number) =>
      new Promise<Error | null | undefined>((resolve) =>
        decide(error, { state: { counter }, opts: { path: '/', method: 'GET' } }, resolve),
      );
    const busy = Object.assign(new Error('Request failed'), { statusCode: 503 });
    expect(await outcome(busy, 1)).toBeNull();
    const refused = Object.assign(new Error('no'), { code: 'ECONNREFUSED' });
    expect(await outcome(refused, 4)).toBe(refused);
    expect(sleeps).toEqual([50]);
  });
});
