import type { RetryHandler } from 'undici';

/**
 * The one retry policy of the registry and package-index requests this package makes (GitHub's are
 * retried by Octokit's plugins): only idempotent requests, only on failures that may pass (network
 * errors, 408, 429, 5xx but 501/505), exponential backoff with full jitter, a cap on attempts and
 * on each wait. Retry-After is honoured: a server asking for a longer pause than the cap gets no
 * early retry — its answer is returned instead, for the caller to report.
 *
 * undici's RetryHandler does the retrying (it sends the request again, resumes a body cut short
 * with a Range request, and never resends a stream body); `retryDecision` is the decision it asks
 * for after each failure. It is ours rather than undici's default for the two points above that the
 * default does differently: its waits have no jitter (concurrent clients retry in lockstep), and it
 * caps a long Retry-After and retries early, which is what a rate limiter punishes.
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
  /** Told before each wait: the attempt that failed (from 1) and how long the wait is. */
  onRetry?: (attempt: number, waitMs: number) => void;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 10_000 };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Network failures worth another attempt (a certificate refused, or an abort, is not one). */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

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

interface FailedAttempt {
  code?: string;
  statusCode?: number;
  headers?: Record<string, string | string[] | undefined>;
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** The wait before the next attempt, or undefined when this failure is final. */
export function nextWait(policy: RetryPolicy, attempt: number, failure: FailedAttempt): number | undefined {
  if (attempt >= policy.attempts) return undefined;
  if (failure.statusCode !== undefined) {
    if (!isRetryableStatus(failure.statusCode)) return undefined;
    const asked = retryAfterMs(header(failure.headers?.['retry-after']));
    if (asked !== undefined) return asked > policy.maxDelayMs ? undefined : asked;
  } else if (!failure.code || !TRANSIENT_CODES.has(failure.code)) return undefined;
  return backoffMs(policy, attempt);
}

/** The decision undici's RetryHandler asks for after each failed attempt, under `policy`. */
export function retryDecision(policy: RetryPolicy): RetryHandler.RetryCallback {
  const sleep = policy.sleep ?? defaultSleep;
  return (error, { state }, done) => {
    const wait = nextWait(policy, state.counter, error as FailedAttempt);
    if (wait === undefined) return done(error);
    policy.onRetry?.(state.counter, wait);
    sleep(wait).then(
      () => done(null),
      () => done(error),
    );
  };
}

/** For requests that must not be sent twice (a POST, an upload streamed from disk). */
export const NEVER_RETRY: RetryHandler.RetryCallback = (error, _context, done) => done(error);
