import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * The HTTP client of every request this package makes (registries, package indexes, GitHub): the
 * small part of `fetch` they use, on node:http and node:https.
 *
 * Why not `fetch`: in Node 20 the first `fetch()` loads undici and compiles its WebAssembly HTTP
 * parser, and V8 finishes optimising that module in the background before the process may exit.
 * Measured on a quiet machine: one request to a local server cost ~100 ms before the answer and
 * held the exit of the process ~175 ms more; the same request with node:http cost ~25 ms and
 * nothing at exit. A dry run that asks a registry and a package index paid both.
 *
 * What it keeps from fetch: redirects are followed (GET and HEAD; 303, and 301/302 after a POST,
 * turn into a GET without a body) unless `redirect: 'manual'`, and Authorization is dropped when a
 * redirect leaves the origin; `signal` aborts the request and the reading of its body; bodies are
 * not decompressed, because no Accept-Encoding is sent. Unlike fetch, the body is read whole
 * before the promise resolves: every caller reads it anyway (manifests, JSON, error texts, an
 * asset's bytes), and a body left unread would otherwise hold its socket and keep the process alive.
 */
export interface HttpInit {
  method?: string;
  headers?: Record<string, string>;
  /** A Readable needs its `content-length` header (see "Streamed request bodies" below). */
  body?: string | Uint8Array | Readable;
  redirect?: 'follow' | 'manual';
  signal?: AbortSignal;
  /** Connection pool (node:http's Agent); the global agents by default. */
  agent?: http.Agent;
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

/** What the clients take: `httpRequest`, or `fetch` itself (tests hand in stand-ins). */
export type HttpFetch = (url: string | URL, init?: HttpInit) => Promise<HttpResponse>;

const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers fetch removes when a redirect leaves the origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export const httpRequest: HttpFetch = async (input, init = {}) => {
  let url = new URL(input);
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body;
  const headers = lowerCased(init.headers ?? {});
  headers['user-agent'] ??= 'semantic-release-stack';
  headers.accept ??= '*/*';
  for (let hops = 0; ; hops++) {
    const answer = await exchange(url, method, headers, body, init);
    const location = answer.headers.location;
    if (init.redirect === 'manual' || !REDIRECTS.has(answer.status) || typeof location !== 'string')
      return response(url, answer);
    if (hops === MAX_REDIRECTS) throw new Error(`${url.host}: more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, url);
    if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
    if (answer.status === 303 ? method !== 'HEAD' : answer.status <= 302 && method === 'POST') {
      method = 'GET';
      body = undefined;
      delete headers['content-type'];
    }
    if (body instanceof Readable)
      throw new Error(`${url.host} redirected a streamed upload, which cannot be sent again`);
    url = next;
  }
};

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: Buffer;
}

function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | Readable | undefined,
  init: HttpInit,
): Promise<Answer> {
  const signal = init.signal;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      if (body instanceof Readable) body.destroy();
      return reject(signal.reason as Error);
    }
    const sent = { ...headers };
    if (body instanceof Readable) {
      if (!sent['content-length'])
        return reject(new TypeError('a streamed body needs a content-length header'));
    } else if (body !== undefined) sent['content-length'] = String(Buffer.byteLength(body));
    const send = url.protocol === 'https:' ? https.request : http.request;
    const req = send(url, { method, headers: sent, ...(init.agent ? { agent: init.agent } : {}) });
    const fail = (error: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    };
    // Aborting rejects with the signal's reason (a timeout says so) and drops the connection.
    const onAbort = (): void => {
      fail(signal?.reason as Error);
      req.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(new Error(`${url.host} closed the connection in the middle of its answer`));
      });
      res.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) });
      });
    });
    if (body instanceof Readable) sendStream(req, body, fail);
    else req.end(body);
  });
}

// ---- Streamed request bodies (a blob uploaded from disk). Kept apart to move onto the undici client
// as they are: the caller gives a Readable and its content-length header; the body is sent once and
// never replayed (a redirect that would resend it fails); a failing body tears the request down, and
// a failing request closes the body.
function sendStream(req: http.ClientRequest, body: Readable, fail: (error: Error) => void): void {
  pipeline(body, req).catch((error: Error) => {
    fail(error);
    req.destroy(error);
  });
}

function response(url: URL, answer: Answer): HttpResponse {
  const { status, headers, bytes } = answer;
  const text = async () => bytes.toString('utf8');
  return {
    status,
    ok: status >= 200 && status < 300,
    url: url.href,
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
