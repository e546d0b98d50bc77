/**
 * The HTTP client behind a real proxy (tinyproxy, test/helpers/proxy.ts): which requests go
 * through it (its own access log says), which go direct (NO_PROXY), where the settings come from
 * (the context's env in either case, never process.env), and EPROXY when the proxy fails.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStepContext } from '../../test/helpers/contexts.js';
import { startProxy, type StartedProxy } from '../../test/helpers/proxy.js';
import { freePort } from '../../test/helpers/registry.js';
import { INSTALL_HINTS, requireTool } from '../../test/helpers/tools.js';
import { isStackError } from '../errors.js';
import { createHttpClient } from './http.js';
import { displayProxy, proxySettings } from './proxy.js';

interface Server {
  url: string;
  host: string;
  /** Each request: its path and the Via header tinyproxy adds to what it forwards. */
  seen: Array<{ url: string; via: string | undefined }>;
  close(): Promise<void>;
}

async function serve(create: (h: http.RequestListener) => http.Server = http.createServer): Promise<Server> {
  const seen: Server['seen'] = [];
  const server = create((req, res) => {
    seen.push({ url: req.url!, via: req.headers.via as string | undefined });
    req.resume();
    req.on('end', () => res.end(`hello ${req.url}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = server instanceof https.Server ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const fast = { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 };

let proxy: StartedProxy;
let target: Server;
let other: Server;

beforeAll(async () => {
  proxy = await startProxy();
  target = await serve();
  other = await serve();
});

afterAll(async () => {
  await Promise.all([proxy?.stop(), target?.close(), other?.close()]);
});

const logged = async (server: Server) =>
  (await proxy.requests()).filter((r) => r.target.startsWith(server.url) || r.target === server.host);

describe('proxy settings', () => {
  it('come from the given env in either case, lower case first, HTTPS_PROXY falling back to HTTP_PROXY', () => {
    expect(proxySettings({ HTTP_PROXY: 'http://a:1', https_proxy: 'http://b:2', NO_PROXY: 'x' })).toEqual({
      httpProxy: 'http://a:1',
      httpsProxy: 'http://b:2',
      noProxy: 'x',
      sources: { http: 'HTTP_PROXY', https: 'https_proxy' },
    });
    expect(proxySettings({ http_proxy: 'http://low:1', HTTP_PROXY: 'http://up:1' })).toMatchObject({
      httpProxy: 'http://low:1',
      httpsProxy: 'http://low:1',
      sources: { http: 'http_proxy', https: 'http_proxy' },
    });
    expect(proxySettings({})).toEqual({ httpProxy: '', httpsProxy: '', noProxy: '', sources: {} });
    expect(displayProxy('http://bot:s3cret@proxy.corp:3128')).toBe('http://bot:***@proxy.corp:3128');
  });

  it('read a value without a scheme as http://, and refuse one that is no proxy URL', () => {
    expect(proxySettings({ HTTPS_PROXY: 'proxy.corp:3128' })).toMatchObject({
      httpProxy: '',
      httpsProxy: 'http://proxy.corp:3128',
    });
    const bad = proxySettings({ http_proxy: 'ftp://proxy.corp', HTTPS_PROXY: 'http://ok:1' });
    expect(bad).toMatchObject({ httpProxy: '', httpsProxy: 'http://ok:1' });
    expect(bad.problem?.message).toBe(
      'The proxy in `http_proxy` could not be used: its value is not a proxy URL like `http://proxy.example.com:3128`.',
    );
  });

  it('give the step a client and mask a proxy password wherever the step writes', () => {
    const ctx = fakeStepContext({
      root: '/repo',
      env: { https_proxy: 'http://bot:pr%40xy-Secret@proxy.corp:3128' },
    });
    expect(ctx.http.proxies.httpsProxy).toBe('http://bot:pr%40xy-Secret@proxy.corp:3128');
    expect(ctx.redactor.redact('connect to bot:pr@xy-Secret failed')).toBe('connect to bot:[secure] failed');
  });
});

describe('requests through the proxy', () => {
  it('sends through HTTP_PROXY (either case), the target seeing the proxy, the proxy logging each request', async () => {
    for (const name of ['HTTP_PROXY', 'http_proxy']) {
      const answer = await createHttpClient({ env: { [name]: proxy.url } }).request(
        `${target.url}/v2/${name}`,
      );
      expect(await answer.text()).toBe(`hello /v2/${name}`);
    }
    expect(await logged(target)).toEqual([
      { method: 'GET', target: `${target.url}/v2/HTTP_PROXY` },
      { method: 'GET', target: `${target.url}/v2/http_proxy` },
    ]);
    expect(target.seen.slice(-2).map((s) => s.via)).toEqual([
      expect.stringContaining('tinyproxy'),
      expect.stringContaining('tinyproxy'),
    ]);
  });

  it('carries many requests at once, POSTs included, each one logged', async () => {
    const client = createHttpClient({ env: { HTTP_PROXY: proxy.url } });
    const before = (await logged(other)).length;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        client.request(`${other.url}/many/${i}`, i % 2 ? { method: 'POST', body: 'x' } : {}),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    const lines = (await logged(other)).slice(before);
    expect(lines.map((l) => `${l.method} ${l.target.replace(other.url, '')}`).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `${i % 2 ? 'POST' : 'GET'} /many/${i}`).sort(),
    );
  });

  it('reaches a host listed in NO_PROXY directly', async () => {
    const env = { HTTP_PROXY: proxy.url, NO_PROXY: `example.invalid, ${target.host}` };
    const client = createHttpClient({ env });
    await client.request(`${target.url}/direct`);
    await client.request(`${other.url}/proxied`);
    expect((await logged(target)).map((r) => r.target)).not.toContain(`${target.url}/direct`);
    expect(target.seen.at(-1)).toEqual({ url: '/direct', via: undefined });
    expect((await logged(other)).map((r) => r.target)).toContain(`${other.url}/proxied`);
  });

  it('never reads the proxy from process.env, and goes direct without one', async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { HTTP_PROXY: proxy.url, http_proxy: proxy.url, NO_PROXY: '' });
      await createHttpClient({ env: {} }).request(`${target.url}/no-proxy-set`);
    } finally {
      for (const name of ['HTTP_PROXY', 'http_proxy', 'NO_PROXY']) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
    expect(target.seen.at(-1)).toEqual({ url: '/no-proxy-set', via: undefined });
    expect((await logged(target)).map((r) => r.target)).not.toContain(`${target.url}/no-proxy-set`);
  });

  it('follows a redirect through the proxy, the next hop logged too', async () => {
    const hop = await serve((h) =>
      http.createServer((req, res) =>
        req.url === '/start' ? res.writeHead(302, { location: `${target.url}/landed` }).end() : h(req, res),
      ),
    );
    try {
      const answer = await createHttpClient({ env: { http_proxy: proxy.url } }).request(`${hop.url}/start`);
      expect(await answer.text()).toBe('hello /landed');
      expect((await proxy.requests()).slice(-2).map((r) => r.target)).toEqual([
        `${hop.url}/start`,
        `${target.url}/landed`,
      ]);
    } finally {
      await hop.close();
    }
  });
});

describe('a proxy that fails', () => {
  const expectProxyError = (error: unknown, proxyText: string, variable: string) => {
    if (!isStackError(error)) throw new Error(`not a coded error: ${String(error)}`);
    expect(error.code).toBe('EPROXY');
    expect(error.message).toContain(`The proxy ${proxyText} (from \`${variable}\`)`);
    expect(error.message).not.toContain(target.host);
    expect(error.details).toContain(target.url);
    expect(error.details).toContain('NO_PROXY');
    return error;
  };

  it('is EPROXY naming the proxy (not its password) and its variable when nothing listens there', async () => {
    const port = await freePort();
    const env = { https_proxy: 'http://unused:1', HTTP_PROXY: `http://bot:pw-Secret@127.0.0.1:${port}` };
    const error = await createHttpClient({ env, retry: fast })
      .request(`${target.url}/v2/`)
      .catch((e: unknown) => e);
    const coded = expectProxyError(error, `http://bot:***@127.0.0.1:${port}`, 'HTTP_PROXY');
    expect(coded.message).toContain('ECONNREFUSED');
    expect(`${coded.message}${coded.details}`).not.toContain('pw-Secret');
  });

  it('is EPROXY, before anything is sent, when the variable is not a proxy URL', async () => {
    const before = target.seen.length;
    const error = await createHttpClient({ env: { HTTP_PROXY: 'http://' } })
      .request(`${target.url}/v2/`)
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('EPROXY');
    expect((error as Error).message).toContain('The proxy in `HTTP_PROXY` could not be used');
    expect(target.seen.length).toBe(before);
  });

  it('takes a proxy given without a scheme as http://', async () => {
    const answer = await createHttpClient({ env: { HTTP_PROXY: proxy.url.replace('http://', '') } }).request(
      `${target.url}/schemeless`,
    );
    expect(answer.status).toBe(200);
    expect((await logged(target)).map((r) => r.target)).toContain(`${target.url}/schemeless`);
  });

  it('is EPROXY when the proxy name does not resolve', async () => {
    const error = await createHttpClient({ env: { HTTP_PROXY: 'http://proxy.invalid:3128' }, retry: fast })
      .request(`${target.url}/v2/`)
      .catch((e: unknown) => e);
    expect(expectProxyError(error, 'http://proxy.invalid:3128', 'HTTP_PROXY').message).toContain('ENOTFOUND');
  });

  it('is EPROXY when the proxy wants credentials, and works with them in the URL', async () => {
    const guarded = await startProxy({ basicAuth: { user: 'bot', password: 'pr0xy-Secret' } });
    try {
      const error = await createHttpClient({ env: { HTTP_PROXY: guarded.url }, retry: fast })
        .request(`${target.url}/guarded`)
        .catch((e: unknown) => e);
      expect(expectProxyError(error, guarded.url, 'HTTP_PROXY').message).toContain('407');
      const withCredentials = guarded.url.replace('http://', 'http://bot:pr0xy-Secret@');
      const answer = await createHttpClient({ env: { HTTP_PROXY: withCredentials } }).request(
        `${target.url}/guarded`,
      );
      expect(answer.status).toBe(200);
      expect((await guarded.requests()).map((r) => r.target)).toEqual([
        `${target.url}/guarded`,
        `${target.url}/guarded`,
      ]);
    } finally {
      await guarded.stop();
    }
  });
});

describe('https:// through the proxy', () => {
  let dir: string;
  let secure: Server;
  let ca: Buffer;
  beforeAll(async () => {
    const openssl = await requireTool('openssl', INSTALL_HINTS.openssl);
    dir = await mkdtemp(path.join(tmpdir(), 'srs-proxy-tls-'));
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    await promisify(execFile)(openssl, [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
    ]);
    ca = await readFile(cert);
    const tls = { cert: ca, key: await readFile(key) };
    secure = await serve((h) => https.createServer(tls, h));
  });
  afterAll(async () => {
    await secure?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('tunnels through HTTPS_PROXY with CONNECT, the certificate still checked end to end', async () => {
    const client = createHttpClient({ env: { HTTPS_PROXY: proxy.url }, ca });
    expect(await (await client.request(`${secure.url}/tls`)).text()).toBe('hello /tls');
    expect((await proxy.requests()).at(-1)).toEqual({ method: 'CONNECT', target: secure.host });
    // Only the tunnel is the proxy's: it cannot see or change the request (no Via header).
    expect(secure.seen.at(-1)).toEqual({ url: '/tls', via: undefined });
  });

  it('is EPROXY when the proxy refuses the tunnel', async () => {
    const strict = await startProxy({ connectPorts: [443] });
    try {
      const error = await createHttpClient({ env: { HTTPS_PROXY: strict.url }, ca, retry: fast })
        .request(`${secure.url}/tls`)
        .catch((e: unknown) => e);
      if (!isStackError(error)) throw new Error(`not a coded error: ${String(error)}`);
      expect(error.code).toBe('EPROXY');
      expect(error.message).toContain(`The proxy ${strict.url} (from \`HTTPS_PROXY\`)`);
      expect(error.message).toContain('Proxy response (403)');
    } finally {
      await strict.stop();
    }
  });
});
