import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy } from '../helpers/proxy.js';

/** A request in absolute form, as a client sends it to a proxy; resolves with status and body. */
function viaProxy(proxyPort: number, url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, path: url, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startProxy', () => {
  let server: http.Server;
  let target: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => res.end(`${req.url} via ${req.headers.via ?? 'nothing'}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('forwards a request, adds Via, logs the request line, and leaves nothing behind', async () => {
    const proxy = await startProxy();
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
    const answer = await viaProxy(proxy.port, `${target}/hello`);
    expect(answer).toEqual({ status: 200, body: expect.stringMatching(/^\/hello via 1\.1 .*tinyproxy/) });
    expect(await proxy.requests()).toEqual([{ method: 'GET', target: `${target}/hello` }]);
    await proxy.stop();
    expect(existsSync(proxy.dir)).toBe(false);
  });

  it('asks for credentials with basicAuth', async () => {
    const proxy = await startProxy({ basicAuth: { user: 'u', password: 'p4ss-word' } });
    try {
      expect((await viaProxy(proxy.port, `${target}/a`)).status).toBe(407);
      const auth = { 'proxy-authorization': `Basic ${Buffer.from('u:p4ss-word').toString('base64')}` };
      expect((await viaProxy(proxy.port, `${target}/b`, auth)).status).toBe(200);
    } finally {
      await proxy.stop();
    }
  });
});
