import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createAuthenticator, type Credentials } from './auth.js';
import { discard, httpError, OciError, pathOf } from './errors.js';
import type { HttpFetch, HttpResponse } from '../core/http.js';
import { isStackError } from '../errors.js';

export { OciError } from './errors.js';
export type { Credentials } from './auth.js';

/**
 * A small client for the OCI distribution API (the subset a release needs): ping, manifests by tag
 * or digest, blobs, uploads. Auth follows the registry's `WWW-Authenticate` challenge: Basic with
 * the credentials, or the Bearer flow (token endpoint asked with Basic credentials, or anonymously).
 * Credentials only ever go into request headers; nothing here logs, and errors name the method,
 * the path and the registry's answer, never a header.
 */

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

/** Every manifest type a release can meet; a registry answers with the stored one if it is listed. */
export const ALL_MANIFEST_TYPES = Object.values(MEDIA_TYPES);

export interface OciClientOptions {
  /** Host (and port) of the registry API: `registry.example.com`, `127.0.0.1:5000`. */
  host: string;
  /** Default https; loopback test registries speak http. */
  scheme?: 'https' | 'http';
  credentials?: Credentials | undefined;
  /** The step's HTTP client (`ctx.http.request`): proxies, redirects and retries are its own. */
  fetch: HttpFetch;
  /** Per attempt: the answer's headers, and then each piece of its body, must come within it. */
  timeoutMs?: number;
}

export interface ManifestInfo {
  digest: string;
  mediaType: string;
  size: number;
}

export interface Manifest extends ManifestInfo {
  bytes: Buffer;
  json: Record<string, unknown>;
}

type Action = 'pull' | 'push';

interface Call {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  /** Path below the host (`/v2/…`) or an absolute URL (an upload Location). */
  url: string;
  repository?: string;
  actions?: Action[];
  headers?: Record<string, string>;
  /** Bytes, or a blob streamed from disk (opened afresh for each attempt). */
  body?: Buffer | BlobSource;
  idempotent: boolean;
}

/** A blob uploaded from where it lies (a file) instead of from memory. */
export interface BlobSource {
  digest: string;
  size: number;
  /** A new stream of the blob's bytes at each call: an upload is sent again after an auth challenge. */
  open(): Readable;
}

export const sha256Digest = (bytes: Uint8Array): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export interface OciClient {
  readonly host: string;
  /** GET /v2/ with the credentials: resolves when they are accepted (for `repository`, when given). */
  checkAuth(repository?: string, actions?: Action[]): Promise<void>;
  headManifest(
    repository: string,
    reference: string,
    accept?: readonly string[],
  ): Promise<ManifestInfo | undefined>;
  getManifest(
    repository: string,
    reference: string,
    accept?: readonly string[],
  ): Promise<Manifest | undefined>;
  putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string>;
  hasBlob(repository: string, digest: string): Promise<boolean>;
  getBlob(repository: string, digest: string): Promise<Buffer>;
  /**
   * Uploads a blob unless the registry has it (POST, then PUT with `digest=`); returns its digest.
   * A `BlobSource` is streamed, its bytes checked against its digest on the way.
   */
  pushBlob(repository: string, blob: Uint8Array | BlobSource): Promise<string>;
  /**
   * The referrers API (`GET /v2/<name>/referrers/<digest>`, OCI distribution 1.1): the index of the
   * manifests whose `subject` is `digest`; undefined when the registry has no such API (404).
   */
  referrers(repository: string, digest: string): Promise<Record<string, unknown> | undefined>;
}

export function createOciClient(options: OciClientOptions): OciClient {
  const fetchImpl = options.fetch;
  const base = `${options.scheme ?? 'https'}://${options.host}`;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const auth = createAuthenticator({
    host: options.host,
    credentials: options.credentials,
    fetch: fetchImpl,
    timeoutMs,
  });

  const scopeOf = (call: Call) =>
    call.repository ? `repository:${call.repository}:${(call.actions ?? ['pull']).join(',')}` : '';

  async function send(call: Call, authorization: string | undefined): Promise<HttpResponse> {
    const url = /^https?:\/\//.test(call.url) ? call.url : `${base}${call.url}`;
    const headers: Record<string, string> = { ...call.headers, ...(authorization ? { authorization } : {}) };
    const init = {
      method: call.method,
      headers,
      redirect: call.method === 'GET' || call.method === 'HEAD' ? 'follow' : 'manual',
      timeoutMs,
    } as const;
    const body = call.body;
    const sent =
      body === undefined || Buffer.isBuffer(body)
        ? fetchImpl(url, { ...init, body, retry: call.idempotent })
        : // A stream is sent once (the HTTP client never resends one).
          streamUpload(body, timeoutMs, (stream, signal) =>
            fetchImpl(url, { ...init, body: stream, signal }),
          );
    return sent.catch((error: unknown) => {
      // A coded error (EPROXY: the proxy, not the registry, failed) is the caller's as it is.
      if (isStackError(error)) throw error;
      throw new OciError(
        `${call.method} ${pathOf(url)} on ${options.host} failed: ${(error as Error).message}`,
        'network',
        0,
      );
    });
  }

  /** Sends a call; on a 401 answers the challenge once and sends it again. */
  async function request(call: Call): Promise<HttpResponse> {
    const scope = scopeOf(call);
    const what = `${call.method} ${pathOf(call.url)}`;
    const response = await send(call, auth.header(scope));
    if (response.status !== 401) return response;
    const retried = await send(call, await auth.answer(response, scope, what));
    if (retried.status === 401) {
      await discard(retried);
      throw new OciError(`${options.host} refused the credentials for ${what}`, 'auth', 401);
    }
    return retried;
  }

  async function expect(call: Call, ok: number[]): Promise<HttpResponse> {
    const response = await request(call);
    if (ok.includes(response.status)) return response;
    throw await httpError(response, `${call.method} ${pathOf(call.url)}`, options.host);
  }

  const manifestPath = (repository: string, reference: string) => `/v2/${repository}/manifests/${reference}`;
  const blobPath = (repository: string, digest: string) => `/v2/${repository}/blobs/${digest}`;
  const accepting = (accept: readonly string[]) => ({ accept: accept.join(', ') });

  return {
    host: options.host,

    async checkAuth(repository, actions = ['pull']) {
      const call: Call = {
        method: 'GET',
        url: '/v2/',
        idempotent: true,
        ...(repository ? { repository, actions } : {}),
      };
      const response = await expect(call, [200]);
      await discard(response);
    },

    async headManifest(repository, reference, accept = ALL_MANIFEST_TYPES) {
      const call: Call = {
        method: 'HEAD',
        url: manifestPath(repository, reference),
        repository,
        headers: accepting(accept),
        idempotent: true,
      };
      const response = await expect(call, [200, 404]);
      if (response.status === 404) return undefined;
      const digest = response.headers.get('docker-content-digest');
      if (!digest) {
        // Without the header the digest is only known from the bytes.
        const manifest = await this.getManifest(repository, reference, accept);
        return manifest && { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size };
      }
      return {
        digest,
        mediaType: mediaTypeOf(response),
        size: Number(response.headers.get('content-length') ?? 0),
      };
    },

    async getManifest(repository, reference, accept = ALL_MANIFEST_TYPES) {
      const call: Call = {
        method: 'GET',
        url: manifestPath(repository, reference),
        repository,
        headers: accepting(accept),
        idempotent: true,
      };
      const response = await expect(call, [200, 404]);
      if (response.status === 404) {
        await discard(response);
        return undefined;
      }
      const bytes = Buffer.from(await response.arrayBuffer());
      const json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      const computed = sha256Digest(bytes);
      const header = response.headers.get('docker-content-digest');
      if (header && header.startsWith('sha256:') && header !== computed) {
        throw new OciError(
          `${options.host} sent manifest ${repository}:${reference} with digest ${computed}, not the ${header} it announced`,
          'http',
          200,
        );
      }
      const mediaType = typeof json.mediaType === 'string' ? json.mediaType : mediaTypeOf(response);
      return { digest: computed, mediaType, size: bytes.length, bytes, json };
    },

    async putManifest(repository, reference, bytes, mediaType) {
      const call: Call = {
        method: 'PUT',
        url: manifestPath(repository, reference),
        repository,
        actions: ['pull', 'push'],
        headers: { 'content-type': mediaType },
        body: bytes,
        idempotent: true, // the same bytes under the same reference
      };
      const response = await expect(call, [201, 200]);
      await discard(response);
      return response.headers.get('docker-content-digest') ?? sha256Digest(bytes);
    },

    async hasBlob(repository, digest) {
      const call: Call = { method: 'HEAD', url: blobPath(repository, digest), repository, idempotent: true };
      const response = await expect(call, [200, 404]);
      return response.status === 200;
    },

    async getBlob(repository, digest) {
      const response = await expect(
        { method: 'GET', url: blobPath(repository, digest), repository, idempotent: true },
        [200],
      );
      const bytes = Buffer.from(await response.arrayBuffer());
      if (digest.startsWith('sha256:') && sha256Digest(bytes) !== digest) {
        throw new OciError(`${options.host} sent blob ${digest} with other content`, 'http', 200);
      }
      return bytes;
    },

    async pushBlob(repository, blob) {
      const bytes =
        blob instanceof Uint8Array ? Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength) : blob;
      const digest = Buffer.isBuffer(bytes) ? sha256Digest(bytes) : bytes.digest;
      const size = Buffer.isBuffer(bytes) ? bytes.length : bytes.size;
      if (await this.hasBlob(repository, digest)) return digest;
      const push = { repository, actions: ['pull', 'push'] as Action[] };
      const started = await expect(
        { method: 'POST', url: `/v2/${repository}/blobs/uploads/`, ...push, idempotent: false },
        [202],
      );
      await discard(started);
      const location = started.headers.get('location');
      if (!location) throw new OciError(`${options.host} started an upload without a Location`, 'http', 202);
      const target = new URL(location, base).toString();
      // The Location may already carry a query (`?_state=…`): add the digest to it.
      const url = `${target}${target.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
      // One PUT with the whole blob (the distribution spec's monolithic upload after a POST): the
      // registry streams it to storage and checks `digest=`; a stream goes out with its length.
      const headers = { 'content-type': 'application/octet-stream', 'content-length': String(size) };
      const done = await expect(
        { method: 'PUT', url, ...push, headers, body: bytes, idempotent: false },
        [201, 204],
      );
      await discard(done);
      return digest;
    },

    async referrers(repository, digest) {
      const call: Call = {
        method: 'GET',
        url: `/v2/${repository}/referrers/${digest}`,
        repository,
        headers: accepting([MEDIA_TYPES.ociIndex]),
        idempotent: true,
      };
      const response = await expect(call, [200, 404]);
      if (response.status === 404) {
        await discard(response);
        return undefined;
      }
      const json = (await response.json()) as Record<string, unknown>;
      return json.mediaType === MEDIA_TYPES.ociIndex || Array.isArray(json.manifests) ? json : undefined;
    },
  };
}

function mediaTypeOf(response: HttpResponse): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
}

/**
 * Sends a streamed blob, hashing and counting its bytes on the way out: a blob that is not what it
 * claims fails with a message that says so (the registry, which checks `digest=` itself, keeps
 * nothing either way). The time limit is on silence, not on the whole transfer: a 1 GB layer may
 * take minutes, but no chunk may wait longer than `idleMs`, nor the answer after the last one.
 */
async function streamUpload(
  blob: BlobSource,
  idleMs: number,
  upload: (body: Readable, signal: AbortSignal) => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(
      () => controller.abort(new Error(`no progress for ${idleMs / 1000} s uploading ${blob.digest}`)),
      idleMs,
    );
  };
  const source = blob.open();
  async function* checkedChunks(): AsyncGenerator<Buffer> {
    const hash = createHash('sha256');
    let sent = 0;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        touch();
        sent += chunk.length;
        if (sent > blob.size) throw new Error(`blob ${blob.digest} has more than its ${blob.size} bytes`);
        hash.update(chunk);
        yield chunk;
      }
    } finally {
      source.destroy();
    }
    if (sent !== blob.size) throw new Error(`blob ${blob.digest} has ${sent} bytes, not ${blob.size}`);
    const digest = `sha256:${hash.digest('hex')}`;
    if (blob.digest.startsWith('sha256:') && digest !== blob.digest)
      throw new Error(`blob ${blob.digest} does not match its digest (its bytes are ${digest})`);
  }
  const body = Readable.from(checkedChunks(), { objectMode: false });
  touch();
  try {
    return await upload(body, controller.signal);
  } finally {
    clearTimeout(timer);
    body.destroy();
  }
}
