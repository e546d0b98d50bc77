import { type HttpFetch, type HttpInit, httpRequest, type HttpResponse } from '../core/http.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../core/retry.js';

/**
 * A small GitHub REST/GraphQL client over httpRequest (core/http.ts), for the few calls this
 * package makes itself (the protected-branch check, completing a release in `publish --tag`). It
 * follows the rules GitHub asks integrators to keep: reads are retried under the shared retry
 * policy; writes are never retried (a lost answer to an upload must be looked up, not repeated)
 * and are sent one at a time, at least `writeIntervalMs` apart, to stay clear of secondary rate
 * limits.
 */
export interface GithubClientOptions {
  /** REST root, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  apiUrl: string;
  token: string;
  fetch?: HttpFetch;
  retry?: RetryPolicy;
  /** Pause between two writes (default 1 s, as GitHub's best practices ask). */
  writeIntervalMs?: number;
  timeoutMs?: number;
}

export interface GithubAnswer<T = unknown> {
  status: number;
  json: T;
  headers: HttpResponse['headers'];
}

export interface GithubRequest {
  body?: unknown;
  /** Raw bytes (an upload); `contentType` says what they are. */
  data?: Uint8Array;
  contentType?: string;
  /** Statuses that are answers rather than failures (e.g. 404 for "no such release"). */
  accept?: number[];
  /** A POST that changes nothing (a GraphQL query): retried like a read. */
  readOnly?: boolean;
}

/** A failed GitHub call: method, URL (never a token) and GitHub's own message. */
export class GithubHttpError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${method} ${url}: HTTP ${status}${reason ? ` (${reason})` : ''}`);
  }
}

export interface GithubClient {
  readonly apiUrl: string;
  /** `path` is relative to the REST root, or an absolute URL (upload URLs live on another host). */
  request<T = unknown>(method: string, path: string, req?: GithubRequest): Promise<GithubAnswer<T>>;
  graphql<T = unknown>(query: string, variables: Record<string, unknown>): Promise<T>;
  /** The bytes of a release asset (its API `url`); GitHub may redirect to storage elsewhere. */
  download(url: string): Promise<Buffer>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** GraphQL's URL next to a REST root: `/graphql` on api.github.com, `/api/graphql` on GHES. */
export function graphqlUrl(apiUrl: string): string {
  const root = apiUrl.replace(/\/+$/, '');
  return /\/api\/v3$/.test(root) ? `${root.slice(0, -'/v3'.length)}/graphql` : `${root}/graphql`;
}

export function createGithubClient(options: GithubClientOptions): GithubClient {
  const doFetch = options.fetch ?? httpRequest;
  const retry = options.retry ?? DEFAULT_RETRY;
  const interval = options.writeIntervalMs ?? 1000;
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  let writes: Promise<unknown> = Promise.resolve();
  let lastWrite = 0;

  // No token (reading a public repository's releases): no Authorization header at all.
  const headersFor = (accept: string): Record<string, string> => ({
    Accept: accept,
    ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
    'User-Agent': 'semantic-release-stack',
    'X-GitHub-Api-Version': '2022-11-28',
  });
  const signal = () => AbortSignal.timeout(options.timeoutMs ?? 120_000);

  async function send<T>(method: string, url: string, req: GithubRequest): Promise<GithubAnswer<T>> {
    const headers = headersFor('application/vnd.github+json');
    let body: HttpInit['body'];
    if (req.data) {
      headers['Content-Type'] = req.contentType ?? 'application/octet-stream';
      body = req.data;
    } else if (req.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    const idempotent = method === 'GET' || method === 'HEAD' || req.readOnly === true;
    const response = await withRetry(retry, idempotent, () =>
      doFetch(url, { method, headers, body, signal: signal() }),
    );
    const text = await response.text();
    const json = (
      text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text
    ) as T;
    if (!response.ok && !req.accept?.includes(response.status)) {
      const message = (json as { message?: unknown } | undefined)?.message;
      throw new GithubHttpError(method, url, response.status, typeof message === 'string' ? message : '');
    }
    return { status: response.status, json, headers: response.headers };
  }

  /** Writes queue behind each other and keep their distance. */
  function write<T>(method: string, url: string, req: GithubRequest): Promise<GithubAnswer<T>> {
    const turn = writes.then(async () => {
      const wait = lastWrite + interval - Date.now();
      if (wait > 0) await sleepFor(wait);
      try {
        return await send<T>(method, url, req);
      } finally {
        lastWrite = Date.now();
      }
    });
    writes = turn.catch(() => undefined);
    return turn;
  }

  const urlOf = (path: string) => (/^https?:\/\//.test(path) ? path : `${apiUrl}${path}`);

  return {
    apiUrl,
    request: (method, path, req = {}) =>
      method === 'GET' || method === 'HEAD'
        ? send(method, urlOf(path), req)
        : write(method, urlOf(path), req),
    async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
      // A query changes nothing: it is sent (and retried) like a read.
      const answer = await send<{ data?: T; errors?: Array<{ message?: string }> }>(
        'POST',
        graphqlUrl(apiUrl),
        { body: { query, variables }, readOnly: true },
      );
      const errors = answer.json.errors ?? [];
      if (errors.length || !answer.json.data)
        throw new GithubHttpError(
          'POST',
          graphqlUrl(apiUrl),
          answer.status,
          errors.map((e) => e.message).join('; '),
        );
      return answer.json.data;
    },
    async download(url: string): Promise<Buffer> {
      // httpRequest drops Authorization when a redirect leaves the API's origin, as it must.
      const headers = headersFor('application/octet-stream');
      const response = await withRetry(retry, true, () => doFetch(url, { headers, signal: signal() }));
      if (!response.ok) {
        await response.body?.cancel();
        throw new GithubHttpError('GET', url, response.status, '');
      }
      return Buffer.from(await response.arrayBuffer());
    },
  };
}
