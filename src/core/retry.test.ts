import { describe, expect, it } from 'vitest';
import { backoffMs, isRetryableStatus, retryAfterMs, withRetry, type RetryPolicy } from './retry.js';

const policy = (sleeps: number[], attempts = 4): RetryPolicy => ({
  attempts,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  sleep: async (ms) => void sleeps.push(ms),
  random: () => 0.5,
});

const answer = (status: number, headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : 'x', { status, headers });

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

  it('waits as long as Retry-After asks, and gives up when that is longer than the cap', async () => {
    const sleeps: number[] = [];
    const answers = [answer(429, { 'retry-after': '1' }), answer(503, { 'retry-after': '5' }), answer(200)];
    const response = await withRetry(policy(sleeps), true, async () => answers.shift()!);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(sleeps).toEqual([1000]);
  });

  it('retries an idempotent call until it succeeds, waiting as told', async () => {
    const sleeps: number[] = [];
    const answers = [answer(503, { 'retry-after': '0' }), answer(429), answer(200)];
    const response = await withRetry(policy(sleeps), true, async () => answers.shift()!);
    expect(response.status).toBe(200);
    expect(sleeps).toEqual([0, 100]);
  });

  it('retries a network error, then gives up with the last one', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await expect(
      withRetry(policy(sleeps, 3), true, async () => {
        calls++;
        throw new Error(`reset ${calls}`);
      }),
    ).rejects.toThrow('reset 3');
    expect(calls).toBe(3);
  });

  it('never retries a call that is not idempotent, nor a permanent 4xx', async () => {
    let calls = 0;
    const post = await withRetry(policy([]), false, async () => (calls++, answer(503)));
    expect([post.status, calls]).toEqual([503, 1]);
    calls = 0;
    const notFound = await withRetry(policy([]), true, async () => (calls++, answer(404)));
    expect([notFound.status, calls]).toEqual([404, 1]);
  });

  it('returns the last answer when attempts run out', async () => {
    let calls = 0;
    const response = await withRetry(policy([], 2), true, async () => (calls++, answer(502)));
    expect([response.status, calls]).toEqual([502, 2]);
  });
});
