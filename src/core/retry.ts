import type { HttpResponse } from './http.js';

/**
 * The one retry policy of every network call this package makes (registries, package indexes,
 * GitHub): only idempotent requests, only on failures that may pass (network errors, 408, 429,
 * 5xx but 501/505), exponential backoff with full jitter, a cap on attempts and on each wait.
 * Retry-After is honoured: a server asking for a longer pause than the cap gets no early retry —
 * its answer is returned instead, for the caller to report.
 */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  /** The longest wait between attempts; a Retry-After asking for more ends the retries. */
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1); injectable so tests get fixed delays. */
  random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 10_000 };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** How long to wait before attempt `attempt + 1` (attempt counts from 1), jittered. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor((policy.random ?? Math.random)() * ceiling);
}

/**
 * Runs `send` until it gives a response that is not worth retrying, or attempts run out. A thrown
 * error (network) is retried like a 5xx; the last one is rethrown.
 */
export async function withRetry(
  policy: RetryPolicy,
  idempotent: boolean,
  send: () => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const attempts = idempotent ? Math.max(1, policy.attempts) : 1;
  const sleep = policy.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    let response: HttpResponse;
    try {
      response = await send();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(backoffMs(policy, attempt));
      continue;
    }
    if (attempt >= attempts || !isRetryableStatus(response.status)) return response;
    const asked = retryAfterMs(response.headers.get('retry-after'));
    if (asked !== undefined && asked > policy.maxDelayMs) return response;
    await response.body?.cancel().catch(() => undefined);
    await sleep(asked ?? backoffMs(policy, attempt));
  }
}
