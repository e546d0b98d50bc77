import type { Readable } from 'node:stream';
import { EnvHttpProxyAgent, interceptors, request, type Dispatcher } from 'undici';
import { proxyFailure, proxySettings, type ProxySettings } from './proxy.js';
import { DEFAULT_RETRY, isRetryableStatus, NEVER_RETRY, retryDecision, type RetryPolicy } from './retry.js';

/**
 * The HTTP client of every registry and package-index request this package makes, on undici. One is
 * made per plugin step from semantic-release's context (`StepContext.http`), and GitHub's Octokit
 * sends through its dispatcher too.
 *
 * - Proxies: undici's EnvHttpProxyAgent, given HTTP_PROXY, HTTPS_PROXY and NO_PROXY from the
 *   context's env (either case; see proxy.ts) — never from process.env. Plain http:// requests are
 *   forwarded by the proxy (`GET http://host/path`), as curl and Python's requests send them;
 *   https:// ones go through a CONNECT tunnel. A proxy that cannot be reached, or refuses to carry
 *   a request, is reported as EPROXY naming the proxy.
 * - Redirects are followed (20 at most) unless `redirect: 'manual'`; Authorization, Cookie and
 *   Proxy-Authorization are dropped when a redirect leaves the origin (undici's redirect
 *   interceptor); 303, and 301/302 after a POST, turn into a GET without a body.
 * - Retries (core/retry.ts) for GET and HEAD, and for other requests the caller marks idempotent;
 *   never for a stream body.
 * - Bodies: a stream (a 1 GB layer read from disk) is sent as it is read; give its length in
 *   `content-length`, or it goes chunked. The answer's body is read whole before the promise
 *   resolves: every caller reads it anyway (manifests, JSON, error texts), and it frees the
 *   connection at once. No Accept-Encoding is sent, so nothing comes compressed.
 * - Idle keep-alive connections do not hold the process open (undici unrefs idle sockets; the
 *   exit test in http.test.ts checks it), so nothing has to be closed at the end of a step.
 */
export interface HttpInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | Readable | AsyncIterable<Uint8Array>;
  redirect?: 'follow' | 'manual';
  /** Aborts the request and the reading of its answer; it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Per attempt: the answer's headers, and then each piece of its body, must come within it. */
  timeoutMs?: number;
  /**
   * Whether a failure that may pass is retried, and under which policy (the client's, with these
   * changes). Default: GET and HEAD are, other methods are not.
   */
  retry?: boolean | Partial<RetryPolicy>;
}

export interface HttpResponse {
  readonly status: number;
  readonly ok: boolean;
  /** The URL that answered, after redirects. */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
  readonly body: { cancel(): Promise<void> } | null;
}

/** One request: what the registry and index clients take (tests may hand in another). */
export type HttpFetch = (url: string | URL, init?: HttpInit) => Promise<HttpResponse>;

export interface HttpClient {
  request: HttpFetch;
  /** The proxy-aware connection pool, for libraries that send themselves (Octokit's fetch). */
  readonly dispatcher: Dispatcher;
  readonly proxies: ProxySettings;
  /** EPROXY when `error` (of a request to `url`) is the proxy's failure; undefined otherwise. */
  proxyFailure(error: unknown, url: string | URL): Promise<Error | undefined>;
}

export interface HttpClientOptions {
  /** semantic-release's `context.env`: the proxy variables are read from it. */
  env: Record<string, string | undefined>;
  retry?: RetryPolicy;
  /** Extra certificate authorities (tests; users have NODE_EXTRA_CA_CERTS). */
  ca?: string | Buffer;
  /** Per-attempt timeout when a request does not give one. */
  timeoutMs?: number;
}

const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const IDEMPOTENT = new Set(['GET', 'HEAD']);

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const proxies = proxySettings(options.env);
  const tls = options.ca ? { ca: options.ca } : undefined;
  const dispatcher = new EnvHttpProxyAgent({
    httpProxy: proxies.httpProxy,
    httpsProxy: proxies.httpsProxy,
    noProxy: proxies.noProxy,
    proxyTunnel: false,
    ...(tls ? { connect: tls, requestTls: tls } : {}),
  });
  const sender = dispatcher.compose(
    interceptors.redirect({ maxRedirections: MAX_REDIRECTS }),
    interceptors.retry({ throwOnError: false }),
  );
  const defaultPolicy = options.retry ?? DEFAULT_RETRY;
  const failureOf = (error: unknown, url: string | URL) => proxyFailure(error, new URL(url), proxies);

  const send: HttpFetch = async (input, init = {}) => {
    if (proxies.problem) throw proxies.problem;
    const url = new URL(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = lowerCased(init.headers ?? {});
    headers['user-agent'] ??= 'semantic-release-stack';
    headers.accept ??= '*/*';
    const retry = init.retry ?? IDEMPOTENT.has(method);
    const timeout = init.timeoutMs ?? options.timeoutMs;
    let answer: Dispatcher.ResponseData;
    let bytes: Buffer;
    try {
      answer = await request(url, {
        dispatcher: sender,
        method: method as Dispatcher.HttpMethod,
        headers,
        body: init.body as Dispatcher.DispatchOptions['body'],
        signal: init.signal,
        ...(timeout ? { headersTimeout: timeout, bodyTimeout: timeout } : {}),
        // Read by the redirect and retry interceptors, not by undici's request().
        ...({
          maxRedirections: init.redirect === 'manual' ? 0 : MAX_REDIRECTS,
          retryOptions: {
            retry: retry
              ? retryDecision({ ...defaultPolicy, ...(retry === true ? {} : retry) })
              : NEVER_RETRY,
            // undici (7.30) completes a bodiless HEAD answer before the asynchronous decision to
            // retry it has come, and then fails; answers it may retry are raised as errors instead
            // (they have no body to lose), and the last one is turned back into the answer below.
            ...(method === 'HEAD' ? { throwOnError: true, statusCodes: RETRYABLE_STATUSES } : {}),
          },
        } as object),
      });
      bytes = method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await answer.body.arrayBuffer());
    } catch (error) {
      const last = method === 'HEAD' ? headAnswer(error) : undefined;
      if (last) return response(url.href, last, Buffer.alloc(0));
      throw (await failureOf(error, url)) ?? error;
    }
    const history = (answer.context as { history?: URL[] } | undefined)?.history ?? [];
    if (history.length > MAX_REDIRECTS && REDIRECTS.has(answer.statusCode))
      throw new Error(`${url.host}: more than ${MAX_REDIRECTS} redirects`);
    return response(history.at(-1)?.href ?? url.href, answer, bytes);
  };

  return { request: send, dispatcher, proxies, proxyFailure: failureOf };
}

const RETRYABLE_STATUSES = Array.from({ length: 200 }, (_, i) => 400 + i).filter(isRetryableStatus);

/** The answer a HEAD ended with when it was raised as an error (see `retryOptions`). */
function headAnswer(error: unknown): Dispatcher.ResponseData | undefined {
  const e = error as { code?: string; statusCode?: number; headers?: Dispatcher.ResponseData['headers'] };
  if (e?.code !== 'UND_ERR_REQ_RETRY' || !e.statusCode) return undefined;
  return { statusCode: e.statusCode, headers: e.headers ?? {} } as Dispatcher.ResponseData;
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function response(url: string, answer: Dispatcher.ResponseData, bytes: Buffer): HttpResponse {
  const { statusCode: status, headers } = answer;
  const text = async () => bytes.toString('utf8');
  return {
    status,
    ok: status >= 200 && status < 300,
    url,
    headers: {
      get(name) {
        const value = headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    text,
    json: async () => JSON.parse(await text()) as unknown,
    arrayBuffer: async () =>
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
    // The body has been read already; cancelling it has nothing left to do.
    body: { cancel: async () => undefined },
  };
}
