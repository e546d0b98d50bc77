import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_HINTS, requireTool } from '../../test/helpers/tools.js';
import { httpRequest } from './http.js';

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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('httpRequest', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  const track = <T extends { close(): Promise<void> }>(s: T): T => (servers.push(s), s);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('sends the method, headers and body, and reads status, headers and body', async () => {
    const srv = track(
      await serve((_s, res) => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
        res.end('{"ok":true}');
      }),
    );
    const response = await httpRequest(`${srv.url}/v2/x`, {
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

  it('follows redirects, keeping credentials on the origin and dropping them off it', async () => {
    const storage = track(await serve((_s, res) => res.end('blob')));
    const registry = track(
      await serve((s, res) => {
        if (s.url === '/first') res.writeHead(307, { location: '/second' }).end();
        else res.writeHead(302, { location: `${storage.url}/blob?sig=1` }).end();
      }),
    );
    const response = await httpRequest(`${registry.url}/first`, { headers: { Authorization: 'Bearer t' } });
    expect(await response.text()).toBe('blob');
    expect(response.url).toBe(`${storage.url}/blob?sig=1`);
    expect(registry.seen.map((s) => s.headers.authorization)).toEqual(['Bearer t', 'Bearer t']);
    expect(storage.seen[0]!.headers.authorization).toBeUndefined();
  });

  it('turns a POST into a bodiless GET after a 303, and leaves redirects alone when asked', async () => {
    const srv = track(
      await serve((s, res) => {
        if (s.url === '/form') res.writeHead(303, { location: '/done' }).end();
        else res.end(s.method);
      }),
    );
    const followed = await httpRequest(`${srv.url}/form`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(await followed.text()).toBe('GET');
    expect(srv.seen[1]).toMatchObject({ method: 'GET', body: '' });
    expect(srv.seen[1]!.headers['content-type']).toBeUndefined();

    const manual = await httpRequest(`${srv.url}/form`, { method: 'POST', body: 'x', redirect: 'manual' });
    expect(manual.status).toBe(303);
    expect(manual.headers.get('location')).toBe('/done');
  });

  it('gives up after 20 redirects', async () => {
    const srv = track(await serve((_s, res) => res.writeHead(302, { location: '/again' }).end()));
    await expect(httpRequest(`${srv.url}/loop`)).rejects.toThrow('more than 20 redirects');
    expect(srv.seen).toHaveLength(21);
  });

  it('rejects with the signal’s reason when it aborts, also while the body is arriving', async () => {
    const srv = track(
      await serve((_s, res) => {
        res.writeHead(200);
        res.write('partial');
      }),
    );
    await expect(httpRequest(srv.url, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    const aborted = new AbortController();
    aborted.abort(new Error('stopped before it began'));
    await expect(httpRequest(srv.url, { signal: aborted.signal })).rejects.toThrow('stopped before it began');
  });

  it('rejects when the server cuts its answer short, or cannot be reached', async () => {
    const srv = track(
      await serve((_s, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('only part');
        setTimeout(() => res.socket?.destroy(), 20);
      }),
    );
    await expect(httpRequest(srv.url)).rejects.toThrow();
    const gone = await serve(() => undefined);
    await gone.close();
    await expect(httpRequest(gone.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
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
      const agent = new https.Agent({ ca: cert });
      expect(await (await httpRequest(srv.url, { agent })).text()).toBe('secure');
      await expect(httpRequest(srv.url)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    });
  });
});
