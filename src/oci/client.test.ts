import { spawn, type ChildProcess } from 'node:child_process';
import { createSign } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getManifest, startRegistry, type Registry } from '../../test/helpers/registry.js';
import { INSTALL_HINTS, requireTool } from '../../test/helpers/tools.js';
import { createHttpClient, type HttpFetch } from '../core/http.js';
import { createOciClient, MEDIA_TYPES, OciError, sha256Digest, type BlobSource } from './client.js';

/** The HTTP client of a step without proxy variables. */
const http = createHttpClient({ env: {} });
const USER = 'ci-bot';
const PASSWORD = 'oci-Client-pa55word';

/** A one-layer image manifest over freshly pushed blobs. */
async function pushSmallImage(
  client: ReturnType<typeof createOciClient>,
  repository: string,
  tag: string,
  content: string,
) {
  const layer = Buffer.from(content);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', content }));
  const layerDigest = await client.pushBlob(repository, layer);
  const configDigest = await client.pushBlob(repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length },
      ],
    }),
  );
  const digest = await client.putManifest(repository, tag, manifest, MEDIA_TYPES.ociManifest);
  return { digest, manifest, layerDigest, configDigest };
}

/** A blob source over bytes in memory, handed out in 64 KiB chunks as a file stream would. */
function chunked(bytes: Buffer, digest = sha256Digest(bytes)): BlobSource {
  return {
    digest,
    size: bytes.length,
    open: () =>
      Readable.from(
        (function* () {
          for (let i = 0; i < bytes.length; i += 65536) yield bytes.subarray(i, i + 65536);
        })(),
      ),
  };
}

describe('OCI client against docker-registry with htpasswd (Basic)', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: { user: USER, password: PASSWORD } });
  });
  afterAll(() => registry?.stop());

  const client = (password = PASSWORD, fetchImpl: HttpFetch = http.request) =>
    createOciClient({
      host: registry.host,
      scheme: 'http',
      credentials: { username: USER, password },
      fetch: fetchImpl,
    });

  it('accepts the right credentials and refuses a wrong password without echoing it', async () => {
    await client().checkAuth('acme/app', ['pull', 'push']);
    const error = await client('wrong-pa55word')
      .checkAuth()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OciError);
    expect((error as OciError).kind).toBe('auth');
    expect((error as OciError).message).toContain(registry.host);
    expect((error as OciError).message).not.toContain('wrong-pa55word');
    const anonymous = await createOciClient({ host: registry.host, scheme: 'http', fetch: http.request })
      .checkAuth()
      .catch((e: unknown) => e);
    expect((anonymous as OciError).kind).toBe('auth');
  });

  it('uploads blobs (POST, then PUT to a Location that already has a query) and a manifest, and reads them back', async () => {
    const seen: string[] = [];
    const spy: HttpFetch = (input, init) => {
      seen.push(`${init?.method ?? 'GET'} ${String(input).replace(registry.url, '')}`);
      return http.request(input, init);
    };
    const c = client(PASSWORD, spy);
    const pushed = await pushSmallImage(c, 'acme/app', '1.0.0', 'layer one');
    const put = seen.find((line) => line.startsWith('PUT /v2/acme/app/blobs/uploads/'));
    expect(put).toMatch(/\?_state=[^&]+&digest=sha256%3A[0-9a-f]{64}$/);

    const head = await c.headManifest('acme/app', '1.0.0');
    expect(head).toEqual({
      digest: pushed.digest,
      mediaType: MEDIA_TYPES.ociManifest,
      size: pushed.manifest.length,
    });
    const got = await c.getManifest('acme/app', '1.0.0');
    expect(got?.digest).toBe(sha256Digest(pushed.manifest));
    expect(got?.bytes.equals(pushed.manifest)).toBe(true);
    expect((await c.getBlob('acme/app', pushed.layerDigest)).toString()).toBe('layer one');
    expect(await c.hasBlob('acme/app', pushed.configDigest)).toBe(true);
    expect((await getManifest(registry, 'acme/app', '1.0.0', { auth: registry.auth })).digest).toBe(
      pushed.digest,
    );

    // A blob the registry has is not uploaded again.
    seen.length = 0;
    await c.pushBlob('acme/app', Buffer.from('layer one'));
    expect(seen.filter((line) => !line.startsWith('HEAD'))).toEqual([]);
  });

  it('answers undefined for a tag that does not exist', async () => {
    expect(await client().headManifest('acme/app', 'no-such-tag')).toBeUndefined();
    expect(await client().getManifest('acme/nothing', 'latest')).toBeUndefined();
  });

  it('reports a registry error with its code and does not retry a 4xx', async () => {
    let calls = 0;
    const counting: HttpFetch = (input, init) => {
      calls++;
      return http.request(input, init);
    };
    const c = client(PASSWORD, counting);
    const error = await c
      .putManifest('acme/app', 'bad', Buffer.from('{"schemaVersion":2}'), MEDIA_TYPES.ociManifest)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OciError);
    expect((error as OciError).status).toBe(400);
    expect((error as OciError).registryCodes.length).toBeGreaterThan(0);
    expect((error as OciError).message).toContain((error as OciError).registryCodes[0]);
    // first call without auth (401 → Basic), then once with it
    expect(calls).toBe(2);
  });

  it('has reads retried by the HTTP client, and never an upload', async () => {
    // A registry that is busy for a while: the client's retries (core/retry.ts) carry the reads.
    const answers: Record<string, number[]> = { HEAD: [503, 503], POST: [503, 503] };
    const seen: string[] = [];
    const busy = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const status = answers[req.method!]?.shift();
      if (status) return void res.writeHead(status, { 'retry-after': '0' }).end();
      if (req.method === 'HEAD' && req.url!.includes('/manifests/'))
        return void res
          .writeHead(200, { 'docker-content-digest': 'sha256:aa', 'content-type': MEDIA_TYPES.ociManifest })
          .end();
      res.writeHead(404).end();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
    try {
      const fast = createHttpClient({ env: {}, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1000 } });
      const c = createOciClient({ host: `127.0.0.1:${port}`, scheme: 'http', fetch: fast.request });
      expect(await c.headManifest('acme/app', '1.0.0')).toMatchObject({ digest: 'sha256:aa' });
      expect(seen).toEqual(Array(3).fill('HEAD /v2/acme/app/manifests/1.0.0'));
      seen.length = 0;
      const error = await c.pushBlob('acme/app', Buffer.from('a new blob')).catch((e: unknown) => e);
      expect((error as OciError).status).toBe(503);
      expect(seen.map((line) => line.split(' ')[0])).toEqual(['HEAD', 'POST']);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it('streams a blob from its source, and refuses bytes that are not what the digest and size say', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 5, 'z');
    const digest = sha256Digest(data);
    let opens = 0;
    const counted = (source: BlobSource): BlobSource => ({ ...source, open: () => (opens++, source.open()) });
    expect(await client().pushBlob('acme/streamed', counted(chunked(data)))).toBe(digest);
    expect(opens).toBe(1);
    expect((await client().getBlob('acme/streamed', digest)).equals(data)).toBe(true);

    // Nothing is stored when the bytes differ from the digest, or fall short of the size.
    const other = Buffer.alloc(data.length, 'y');
    const wrong = sha256Digest(Buffer.from('something else'));
    await expect(client().pushBlob('acme/streamed', chunked(other, wrong))).rejects.toThrow(
      /does not match its digest/,
    );
    await expect(
      client().pushBlob('acme/streamed', { ...chunked(data.subarray(1), wrong), size: data.length }),
    ).rejects.toThrow(/bytes, not/);
    expect(await client().hasBlob('acme/streamed', wrong)).toBe(false);
    expect(await client().hasBlob('acme/streamed', sha256Digest(other))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Bearer: the same docker-registry with `auth.token`, verifying ES256 tokens from a small token
// service in this process, signed with a certificate the registry trusts.

interface TokenService {
  url: string;
  requests: Array<{ authorization: string | undefined; scope: string | null; service: string | null }>;
  close(): Promise<void>;
}

async function startTokenService(dir: string): Promise<TokenService & { cert: string }> {
  const openssl = await requireTool('openssl', 'apt-get install openssl');
  const key = join(dir, 'token.key');
  const cert = join(dir, 'token.crt');
  await execa(openssl, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    '/CN=srs-token',
  ]);
  const keyPem = await readFile(key, 'utf8');
  const der = (await readFile(cert, 'utf8')).replace(/-----[^-]+-----|\s/g, '');
  const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const requests: TokenService['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scope = url.searchParams.get('scope');
    requests.push({
      authorization: req.headers.authorization,
      scope,
      service: url.searchParams.get('service'),
    });
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"details":"incorrect username or password"}');
      return;
    }
    const access = scope
      ? [{ type: 'repository', name: scope.split(':')[1], actions: scope.split(':')[2]!.split(',') }]
      : [];
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: 'srs-token',
      sub: USER,
      aud: 'srs-registry',
      iat: now,
      nbf: now - 10,
      exp: now + 300,
      jti: String(Math.random()),
      access,
    };
    const input = `${b64url({ alg: 'ES256', typ: 'JWT', x5c: [der] })}.${b64url(claims)}`;
    const signature = createSign('SHA256')
      .update(input)
      .sign({ key: keyPem, dsaEncoding: 'ieee-p1363' })
      .toString('base64url');
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: `${input}.${signature}` }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/token`,
    cert,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function startTokenRegistry(
  dir: string,
  realm: string,
  cert: string,
): Promise<{ host: string; child: ChildProcess }> {
  const binary = await requireTool('docker-registry', INSTALL_HINTS.registry);
  const port = await freePort();
  const config = {
    version: 0.1,
    storage: { filesystem: { rootdirectory: join(dir, 'data') } },
    http: { addr: `127.0.0.1:${port}` },
    auth: { token: { realm, service: 'srs-registry', issuer: 'srs-token', rootcertbundle: cert } },
  };
  await writeFile(join(dir, 'config.yml'), JSON.stringify(config));
  const fd = openSync(join(dir, 'registry.log'), 'a');
  const child = spawn(binary, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  for (let i = 0; i < 100; i++) {
    const status = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 401) return { host: `127.0.0.1:${port}`, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(
    `token-auth docker-registry did not start:\n${await readFile(join(dir, 'registry.log'), 'utf8')}`,
  );
}

describe('OCI client against docker-registry with token auth (Bearer)', () => {
  let dir: string;
  let tokens: Awaited<ReturnType<typeof startTokenService>>;
  let registry: { host: string; child: ChildProcess };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'srs-oci-token-'));
    tokens = await startTokenService(dir);
    registry = await startTokenRegistry(dir, tokens.url, tokens.cert);
  });
  afterAll(async () => {
    registry?.child.kill('SIGTERM');
    await tokens?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('follows the challenge to the token endpoint with Basic credentials, then pushes and reads with the token', async () => {
    const client = createOciClient({
      host: registry.host,
      scheme: 'http',
      credentials: { username: USER, password: PASSWORD },
      fetch: http.request,
    });
    await client.checkAuth('acme/app', ['pull', 'push']);
    expect(tokens.requests.at(-1)).toMatchObject({
      scope: 'repository:acme/app:pull,push',
      service: 'srs-registry',
    });
    const pushed = await pushSmallImage(client, 'acme/app', '2.0.0', 'bearer layer');
    expect((await client.headManifest('acme/app', '2.0.0'))?.digest).toBe(pushed.digest);
  });

  it('opens a streamed blob again when the registry refuses its token mid-upload', async () => {
    // The first upload PUT goes out without its token, so the real registry answers with its real
    // challenge, as when a token expires between the POST and the PUT.
    let dropped = false;
    const expiring: HttpFetch = (input, init) => {
      if (init?.method === 'PUT' && !dropped && init.body instanceof Readable) {
        dropped = true;
        const { authorization: _, ...headers } = init.headers ?? {};
        return http.request(input, { ...init, headers });
      }
      return http.request(input, init);
    };
    const client = createOciClient({
      host: registry.host,
      scheme: 'http',
      credentials: { username: USER, password: PASSWORD },
      fetch: expiring,
    });
    const data = Buffer.alloc(2 * 1024 * 1024, 'b');
    let opens = 0;
    const source = chunked(data);
    const before = tokens.requests.length;
    const digest = await client.pushBlob('acme/app', { ...source, open: () => (opens++, source.open()) });
    expect(dropped).toBe(true);
    expect(opens).toBe(2);
    expect(tokens.requests.length).toBeGreaterThan(before);
    expect((await client.getBlob('acme/app', digest)).equals(data)).toBe(true);
  });

  it('reports refused credentials as an auth error naming the registry, not the password', async () => {
    const client = createOciClient({
      host: registry.host,
      scheme: 'http',
      credentials: { username: USER, password: 'not-the-Pa55word' },
      fetch: http.request,
    });
    const error = await client.checkAuth('acme/app', ['pull', 'push']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OciError);
    expect((error as OciError).kind).toBe('auth');
    expect((error as OciError).message).toContain(registry.host);
    expect((error as OciError).message).not.toContain('not-the-Pa55word');
  });
});
