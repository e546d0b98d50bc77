import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_HINTS, requireTool } from '../../test/helpers/tools.js';
import { createHttpClient, type HttpClientOptions } from './http.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server whose answers the test decides; it records what reached it. */
async function serve(
  answer: (seen: Seen, res: http.ServerResponse) => void,
  create: (handler: http.RequestListener) => http.Server = (h) => http.createServer(h),
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = create((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = {
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = server instanceof https.Server ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A client without proxy variables whose retries wait 1 ms (waits are checked where they matter). */
const client = (options: Partial<HttpClientOptions> = {}) =>
  createHttpClient({ env: {}, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, ...options });

const servers: Array<{ close(): Promise<void> }> = [];
const track = <T extends { close(): Promise<void> }>(s: T): T => (servers.push(s), s);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('the HTTP client', () => {
  it('sends the method, headers and body, and reads status, headers and body', async () => {
    const srv = track(
      await serve((_s, res) => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
        res.end('{"ok":true}');
      }),
    );
    const response = await client().request(`${srv.url}/v2/x`, {
      method: 'put',
      headers: { 'X-Thing': '1' },
      body: Buffer.from('héllo'),
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(response.headers.get('x-missing')).toBeNull();
    expect(await response.json()).toEqual({ ok: true });
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('{"ok":true}');
    const [seen] = srv.seen;
    expect(seen).toMatchObject({ method: 'PUT', url: '/v2/x', body: 'héllo' });
    expect(seen!.headers).toMatchObject({
      'x-thing': '1',
      'content-length': '6',
      'user-agent': 'semantic-release-stack',
      accept: '*/*',
    });
    expect(seen!.headers['accept-encoding']).toBeUndefined();
  });

  it('streams a Readable or an async iterable body with the length it is given', async () => {
    const srv = track(await serve((s, res) => res.end(String(s.body.length))));
    const piece = Buffer.alloc(64 * 1024, 7);
    const pieces = 40;
    const length = String(piece.length * pieces);
    async function* chunks() {
      for (let i = 0; i < pieces; i++) yield piece;
    }
    const fromReadable = await client().request(`${srv.url}/blob`, {
      method: 'PUT',
      headers: { 'content-length': length },
      body: Readable.from(chunks()),
    });
    expect(await fromReadable.text()).toBe(length);
    const fromIterable = await client().request(`${srv.url}/blob`, {
      method: 'PUT',
      headers: { 'content-length': length },
      body: chunks(),
    });
    expect(await fromIterable.text()).toBe(length);
    expect(srv.seen.map((s) => [s.headers['content-length'], s.headers['transfer-encoding']])).toEqual([
      [length, undefined],
      [length, undefined],
    ]);
    // A stream that does not hold what it announced is refused, not sent short.
    await expect(
      client().request(`${srv.url}/blob`, {
        method: 'PUT',
        headers: { 'content-length': String(piece.length * pieces + 1) },
        body: Readable.from(chunks()),
      }),
    ).rejects.toThrow();
  });

  it('follows redirects, keeping credentials on the origin and dropping them off it', async () => {
    const storage = track(await serve((_s, res) => res.end('blob')));
    const registry = track(
      await serve((s, res) => {
        if (s.url === '/first') res.writeHead(307, { location: '/second' }).end();
        else res.writeHead(302, { location: `${storage.url}/blob?sig=1` }).end();
      }),
    );
    const response = await client().request(`${registry.url}/first`, {
      headers: { Authorization: 'Bearer t', Cookie: 'session=s' },
    });
    expect(await response.text()).toBe('blob');
    expect(response.url).toBe(`${storage.url}/blob?sig=1`);
    expect(registry.seen.map((s) => s.headers.authorization)).toEqual(['Bearer t', 'Bearer t']);
    expect(storage.seen[0]!.headers.authorization).toBeUndefined();
    expect(storage.seen[0]!.headers.cookie).toBeUndefined();
  });

  it('turns a POST into a bodiless GET after a 303, and leaves redirects alone when asked', async () => {
    const srv = track(
      await serve((s, res) => {
        if (s.url === '/form') res.writeHead(303, { location: '/done' }).end();
        else res.end(s.method);
      }),
    );
    const followed = await client().request(`${srv.url}/form`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(await followed.text()).toBe('GET');
    expect(srv.seen[1]).toMatchObject({ method: 'GET', body: '' });
    expect(srv.seen[1]!.headers['content-type']).toBeUndefined();

    const manual = await client().request(`${srv.url}/form`, {
      method: 'POST',
      body: 'x',
      redirect: 'manual',
    });
    expect(manual.status).toBe(303);
    expect(manual.headers.get('location')).toBe('/done');
  });

  it('gives up after 20 redirects', async () => {
    let n = 0;
    const srv = track(await serve((_s, res) => res.writeHead(302, { location: `/again${n++}` }).end()));
    await expect(client().request(`${srv.url}/loop`)).rejects.toThrow('more than 20 redirects');
    expect(srv.seen).toHaveLength(21);
  });

  it('rejects with the signal’s reason when it aborts, also while the body is arriving', async () => {
    const srv = track(
      await serve((_s, res) => {
        res.writeHead(200);
        res.write('partial');
      }),
    );
    await expect(client().request(srv.url, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    const aborted = new AbortController();
    aborted.abort(new Error('stopped before it began'));
    await expect(client().request(srv.url, { signal: aborted.signal })).rejects.toThrow(
      'stopped before it began',
    );
  });

  it('rejects when the server cuts its answer short, or cannot be reached', async () => {
    const srv = track(
      await serve((_s, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('only part');
        setTimeout(() => res.socket?.destroy(), 20);
      }),
    );
    await expect(client().request(srv.url)).rejects.toThrow();
    const gone = await serve(() => undefined);
    await gone.close();
    await expect(client().request(gone.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('retries', () => {
  /** A server that answers each path from its own list, then 200 `done`. */
  async function scripted(script: Record<string, Array<[number, Record<string, string>?]>>) {
    return track(
      await serve((s, res) => {
        const [status, headers] = script[s.url]?.shift() ?? [200];
        res.writeHead(status, headers).end(status === 200 ? 'done' : `status ${status}`);
      }),
    );
  }

  it('retries a read on 408, 429 and 5xx with jittered, growing waits, honouring Retry-After', async () => {
    const srv = await scripted({ '/r': [[503], [429, { 'retry-after': '2' }], [408], [200]] });
    const waits: number[] = [];
    const retrying = createHttpClient({
      env: {},
      retry: {
        attempts: 4,
        baseDelayMs: 100,
        maxDelayMs: 5000,
        random: () => 0.5,
        sleep: async (ms) => void waits.push(ms),
      },
    });
    const response = await retrying.request(`${srv.url}/r`);
    expect(await response.text()).toBe('done');
    expect(srv.seen).toHaveLength(4);
    // Full jitter (random 0.5) of 100 ms, the 2 s the server asked for, then half of 400 ms.
    expect(waits).toEqual([50, 2000, 200]);
  });

  it('returns the last answer when attempts run out, or at once when Retry-After asks too much', async () => {
    const srv = await scripted({
      '/busy': [[502], [502], [502], [502]],
      '/later': [[429, { 'retry-after': '3600' }]],
    });
    expect((await client().request(`${srv.url}/busy`)).status).toBe(502);
    expect(srv.seen.filter((s) => s.url === '/busy')).toHaveLength(3);
    const later = await client().request(`${srv.url}/later`);
    expect([later.status, later.headers.get('retry-after')]).toEqual([429, '3600']);
    expect(srv.seen.filter((s) => s.url === '/later')).toHaveLength(1);
  });

  it('retries a HEAD too, and gives its last answer with the headers when attempts run out', async () => {
    const srv = await scripted({
      '/head': [[503], [503]],
      '/down': [
        [502, { 'x-why': 'maintenance' }],
        [502, { 'x-why': 'maintenance' }],
        [502, { 'x-why': 'again' }],
      ],
    });
    expect((await client().request(`${srv.url}/head`, { method: 'HEAD' })).status).toBe(200);
    const down = await client().request(`${srv.url}/down`, { method: 'HEAD' });
    expect([down.status, down.headers.get('x-why')]).toEqual([502, 'again']);
    const once = await client().request(`${srv.url}/down`, { method: 'HEAD', retry: false });
    expect(once.status).toBe(200);
    expect(srv.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      ...Array(3).fill('HEAD /head'),
      ...Array(4).fill('HEAD /down'),
    ]);
  });

  it('sends a POST, another 4xx, or a stream body once; a PUT marked idempotent is retried', async () => {
    const srv = await scripted({
      '/post': [[503]],
      '/missing': [[404]],
      '/stream': [[503]],
      '/put': [[503], [200]],
    });
    expect((await client().request(`${srv.url}/post`, { method: 'POST', body: 'x' })).status).toBe(503);
    expect((await client().request(`${srv.url}/missing`)).status).toBe(404);
    const stream = await client().request(`${srv.url}/stream`, {
      method: 'PUT',
      headers: { 'content-length': '5' },
      body: Readable.from([Buffer.from('bytes')]),
      retry: true,
    });
    expect(stream.status).toBe(503);
    const put = await client().request(`${srv.url}/put`, { method: 'PUT', body: 'same', retry: true });
    expect(put.status).toBe(200);
    expect(srv.seen.map((s) => s.url)).toEqual(['/post', '/missing', '/stream', '/put', '/put']);
    expect(srv.seen.at(-1)!.body).toBe('same');
  });

  it('retries a refused connection, then gives its error', async () => {
    const gone = await serve(() => undefined);
    await gone.close();
    let retries = 0;
    await expect(
      client().request(gone.url, { retry: { onRetry: () => void retries++ } }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(retries).toBe(2);
  });
});

describe('the end of the process', () => {
  it('does not wait for an idle keep-alive connection', async () => {
    // The server would keep the connection for a minute; the process must not.
    const srv = track(
      await serve(
        (_s, res) => res.writeHead(200, { 'keep-alive': 'timeout=60' }).end('hello'),
        (h) => Object.assign(http.createServer(h), { keepAliveTimeout: 60_000 }),
      ),
    );
    const dir = await mkdtemp(path.join(tmpdir(), 'srs-http-exit-'));
    try {
      const script = path.join(dir, 'exit.ts');
      const module = path.resolve('src/core/http.ts');
      await writeFile(
        script,
        `import { createHttpClient } from ${JSON.stringify(module)};\n` +
          `const answer = await createHttpClient({ env: {} }).request(${JSON.stringify(srv.url)});\n` +
          `console.log(await answer.text(), Date.now());\n`,
      );
      const started = spawn(path.resolve('node_modules/.bin/vite-node'), [script], { stdio: 'pipe' });
      let out = '';
      started.stdout.on('data', (d: Buffer) => (out += d.toString()));
      started.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => started.on('exit', resolve));
      const exitedAt = Date.now();
      expect(code, out).toBe(0);
      const answeredAt = Number(/hello (\d+)/.exec(out)?.[1]);
      // Held by the connection it would be ~60 s; 10 s leaves room for a loaded machine.
      expect(exitedAt - answeredAt).toBeLessThan(10_000);
      expect(srv.seen).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('over TLS', () => {
  let dir: string;
  let cert: Buffer;
  let key: Buffer;
  beforeAll(async () => {
    const openssl = await requireTool('openssl', INSTALL_HINTS.openssl);
    dir = await mkdtemp(path.join(tmpdir(), 'srs-http-'));
    await promisify(execFile)(openssl, [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ]);
    [cert, key] = await Promise.all([
      readFile(path.join(dir, 'cert.pem')),
      readFile(path.join(dir, 'key.pem')),
    ]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('speaks HTTPS, and refuses a certificate nobody vouches for', async () => {
    const srv = track(
      await serve(
        (_s, res) => res.end('secure'),
        (h) => https.createServer({ cert, key }, h),
      ),
    );
    expect(await (await client({ ca: cert }).request(srv.url)).text()).toBe('secure');
    await expect(client().request(srv.url)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
});
