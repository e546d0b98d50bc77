import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { fetch as undiciFetch } from 'undici';
import type { HttpClient } from '../core/http.js';
import { isStackError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * The GitHub client of the few calls this package makes itself (the protected-branch check,
 * completing a release in `publish --tag`): @octokit/core with the plugins @semantic-release/github
 * runs (npm shares one copy), sending through the step's proxy-aware undici dispatcher.
 *
 * - Pagination: plugin-paginate-rest follows GitHub's Link headers.
 * - Rate limits: plugin-throttling sends writes one at a time, 1 s apart, as GitHub asks of
 *   integrators; its queues are per process, so these writes and @semantic-release/github's keep
 *   that distance from each other too. It waits out primary and secondary rate limits (3 times).
 * - Retries: plugin-retry, for reads only. A write is sent once (`writesOnce`): a lost answer to an
 *   upload or a release creation must be looked up, not repeated. A GraphQL query only reads.
 * - GHES: `apiUrl` is the REST root (`https://ghe.example.com/api/v3`); Octokit's GraphQL goes to
 *   `/api/graphql` next to it, and uploads to the release's own `upload_url`.
 * - The token only ever travels in the Authorization header; Octokit's errors carry the request
 *   with that header redacted, and fetch drops it when a redirect leaves the API's origin (asset
 *   downloads redirect to storage elsewhere).
 *
 * Callers take the Octokit class as a parameter with `StackOctokit` as its default, as
 * @semantic-release/github takes its own, so tests can hand in `StackOctokit.defaults({…})`.
 */

const isRead = (method: string, url: string) =>
  method === 'GET' || method === 'HEAD' || /\/graphql$/.test(new URL(url, 'http://x').pathname);

/** Octokit plugin: writes are sent once; plugin-retry reads `request.retries` per request. */
function writesOnce(octokit: Octokit): void {
  octokit.hook.before('request', (options) => {
    if (!isRead(options.method, options.url)) options.request = { ...options.request, retries: 0 };
  });
}

/**
 * Octokit plugin: a coded error raised under Octokit (EPROXY, from `proxiedFetch`) comes out as
 * itself rather than wrapped in Octokit's "HTTP 500" RequestError.
 */
function codedErrors(octokit: Octokit): void {
  octokit.hook.error('request', (error) => {
    const cause = (error as { cause?: unknown }).cause;
    throw isStackError(cause) ? cause : error;
  });
}

type RetryAfterHandler = NonNullable<ThrottlingOptions['onRateLimit']>;

const RATE_LIMIT_RETRIES = 3;
const onLimit: RetryAfterHandler = (retryAfter, options, octokit, retryCount) => {
  octokit.log.warn(`GitHub's rate limit stops ${options.method} ${options.url}; retrying in ${retryAfter} s`);
  return retryCount < RATE_LIMIT_RETRIES;
};

export const StackOctokit = Octokit.plugin(paginateRest, retry, throttling, writesOnce, codedErrors).defaults(
  {
    userAgent: 'semantic-release-stack',
    throttle: { onRateLimit: onLimit, onSecondaryRateLimit: onLimit },
  },
);

export type StackOctokitClass = typeof StackOctokit;
export type GithubClient = InstanceType<StackOctokitClass>;

export interface GithubClientOptions {
  /** REST root, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  apiUrl: string;
  /** Without one (reading a public repository's releases) no Authorization header is sent. */
  token: string | undefined;
  /** The step's HTTP client: its dispatcher carries the proxy settings. */
  http: HttpClient;
  logger: Logger;
  /** Per request, the first attempt's wait included. */
  timeoutMs?: number;
}

export function githubClient(Client: StackOctokitClass, options: GithubClientOptions): GithubClient {
  const { http, logger } = options;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const proxiedFetch = async (url: string, init: Parameters<typeof undiciFetch>[1] = {}) => {
    if (http.proxies.problem) throw http.proxies.problem;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await undiciFetch(url, {
        ...init,
        dispatcher: http.dispatcher,
        signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
      });
    } catch (error) {
      throw (await http.proxyFailure(error, url)) ?? error;
    }
  };
  return new Client({
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    ...(options.token ? { auth: options.token } : {}),
    request: { fetch: proxiedFetch },
    log: {
      debug() {},
      info() {},
      warn: (m: string) => logger.warn(m),
      error: (m: string) => logger.error(m),
    },
  });
}
