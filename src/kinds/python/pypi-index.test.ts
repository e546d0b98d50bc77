import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpFetch } from '../../core/http.js';
import type { StackError } from '../../errors.js';
import { existingFiles, indexEndpoints, parseSimple, type IndexClientOptions } from './pypi-index.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'B'.repeat(64);

type Reply = { status: number; body?: string; type?: string; headers?: Record<string, string> } | Error;

/** An HTTP client stand-in that answers from a script per URL and records what it was asked. */
function scriptedFetch(script: Record<string, Reply[]>) {
  const calls: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetch = (async (input: string | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, headers: { ...(init?.headers as Record<string, string>) } });
    const reply = script[url]?.shift() ?? { status: 404 };
    if (reply instanceof Error) throw reply;
    return new Response(reply.body ?? '', {
      status: reply.status,
      headers: { 'content-type': reply.type ?? 'application/json', ...reply.headers },
    });
  }) as HttpFetch;
  return { fetch, calls };
}

/** A real index that answers each path from its script (a `cut` closes the connection instead). */
const servers: Array<() => void> = [];
afterAll(() => servers.forEach((close) => close()));
async function scriptedIndex(
  script: Record<string, Array<{ status: number; headers?: Record<string, string>; body?: string } | 'cut'>>,
) {
  const calls: string[] = [];
  const server = createServer((req, res: ServerResponse) => {
    calls.push(req.url!);
    const reply = script[req.url!]?.shift() ?? { status: 404 };
    if (reply === 'cut') return void res.socket?.destroy();
    res
      .writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
      .end(reply.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { uploadUrl: `${base}/legacy/`, calls };
}

const http = createHttpClient({ env: {} });

const fast = (extra: Partial<IndexClientOptions> = {}): IndexClientOptions & { waits: number[] } => {
  const waits: number[] = [];
  return {
    fetch: http.request,
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
    waits,
    ...extra,
  };
};

const JSON_URL = 'https://pypi.org/pypi/os-vim-driver/1.4.0/json';
const SIMPLE_URL = 'https://pypi.org/simple/os-vim-driver/';
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as StackError,
  );

describe('indexEndpoints', () => {
  it('answers upload.pypi.org on pypi.org, and a custom index on its own origin', () => {
    expect(indexEndpoints('https://upload.pypi.org/legacy/', 'OS_Vim.Driver', '2.0.0b3')).toEqual({
      json: 'https://pypi.org/pypi/os-vim-driver/2.0.0b3/json',
      simple: 'https://pypi.org/simple/os-vim-driver/',
      project: 'https://pypi.org/project/os-vim-driver/2.0.0b3/',
    });
    expect(indexEndpoints('https://test.pypi.org/legacy/', 'x', '1.0.0').project).toBe(
      'https://test.pypi.org/project/x/1.0.0/',
    );
    expect(indexEndpoints('http://127.0.0.1:8080/legacy/', 'x', '1.0.0')).toEqual({
      json: 'http://127.0.0.1:8080/pypi/x/1.0.0/json',
      simple: 'http://127.0.0.1:8080/simple/x/',
      project: 'http://127.0.0.1:8080/simple/x/',
    });
  });
});

describe('existingFiles', () => {
  it('reads the JSON API', async () => {
    const { fetch, calls } = scriptedFetch({
      [JSON_URL]: [
        { status: 200, body: JSON.stringify({ urls: [{ filename: 'w.whl', digests: { sha256: SHA_B } }] }) },
      ],
    });
    const found = await existingFiles(
      'https://upload.pypi.org/legacy/',
      'os-vim-driver',
      '1.4.0',
      fast({ fetch }),
    );
    expect(found).toEqual({ files: [{ filename: 'w.whl', sha256: SHA_B.toLowerCase() }], source: JSON_URL });
    expect(calls.map((c) => c.url)).toEqual([JSON_URL]);
  });

  it('falls back to the simple API, and a project it does not know has no files', async () => {
    const html = `<a href="https://files.example/p/w.whl#sha256=${SHA_A}" data-requires-python="&gt;=3.8">w.whl</a>`;
    const { fetch } = scriptedFetch({ [SIMPLE_URL]: [{ status: 200, body: html, type: 'text/html' }] });
    const found = await existingFiles(
      'https://upload.pypi.org/legacy/',
      'os-vim-driver',
      '1.4.0',
      fast({ fetch }),
    );
    expect(found).toEqual({ files: [{ filename: 'w.whl', sha256: SHA_A }], source: SIMPLE_URL });

    const empty = scriptedFetch({});
    expect(
      await existingFiles(
        'https://upload.pypi.org/legacy/',
        'os-vim-driver',
        '1.4.0',
        fast({ fetch: empty.fetch }),
      ),
    ).toEqual({
      files: [],
      source: SIMPLE_URL,
    });
  });

  it('takes an HTML answer of the JSON URL as "no JSON API"', async () => {
    const { fetch } = scriptedFetch({
      'http://idx.local/pypi/x/1.0.0/json': [{ status: 200, body: '<html>login</html>', type: 'text/html' }],
      'http://idx.local/simple/x/': [
        {
          status: 200,
          body: JSON.stringify({ files: [{ filename: 'x.whl', hashes: { sha256: SHA_A } }] }),
          type: 'application/vnd.pypi.simple.v1+json',
        },
      ],
    });
    const found = await existingFiles('http://idx.local/legacy/', 'x', '1.0.0', fast({ fetch }));
    expect(found.files).toEqual([{ filename: 'x.whl', sha256: SHA_A }]);
  });

  it('retries 429, 5xx and network errors with growing jittered waits, honouring Retry-After', async () => {
    const index = await scriptedIndex({
      '/pypi/os-vim-driver/1.4.0/json': [
        'cut',
        { status: 503 },
        { status: 429, headers: { 'retry-after': '7' } },
        { status: 200, body: JSON.stringify({ urls: [] }) },
      ],
    });
    const options = fast();
    await existingFiles(index.uploadUrl, 'os-vim-driver', '1.4.0', options);
    expect(index.calls).toHaveLength(4);
    // Full jitter (random 0.5): half of 1 s, half of 2 s, then the 7 s the index asked for.
    expect(options.waits).toEqual([500, 1000, 7000]);
  });

  it('does not retry other 4xx answers, and stops when Retry-After asks for too long', async () => {
    const refused = await scriptedIndex({ '/pypi/os-vim-driver/1.4.0/json': [{ status: 401 }] });
    const error = await failure(existingFiles(refused.uploadUrl, 'os-vim-driver', '1.4.0', fast()));
    expect(error?.code).toBe('EPYPIINDEX');
    expect(error?.message).toContain('HTTP 401');
    expect(error?.details).toContain('1 attempt(s) made');
    expect(refused.calls).toHaveLength(1);

    const slow = await scriptedIndex({
      '/pypi/os-vim-driver/1.4.0/json': [{ status: 429, headers: { 'retry-after': '3600' } }],
    });
    const tooLong = await failure(existingFiles(slow.uploadUrl, 'os-vim-driver', '1.4.0', fast()));
    expect(tooLong?.message).toContain('asks to wait 3600 s');
    expect(slow.calls).toHaveLength(1);

    const down = await scriptedIndex({ '/pypi/os-vim-driver/1.4.0/json': Array(4).fill({ status: 502 }) });
    const gaveUp = await failure(existingFiles(down.uploadUrl, 'os-vim-driver', '1.4.0', fast()));
    expect(gaveUp?.message).toContain('HTTP 502');
    expect(gaveUp?.details).toContain('4 attempt(s) made');
  });

  it("sends credentials only to the upload URL's own origin", async () => {
    const pypi = scriptedFetch({});
    await existingFiles(
      'https://upload.pypi.org/legacy/',
      'x',
      '1.0.0',
      fast({ fetch: pypi.fetch, authorization: 'Basic c2VjcmV0' }),
    );
    expect(pypi.calls.map((c) => c.headers.Authorization)).toEqual([undefined, undefined]);

    const own = scriptedFetch({});
    await existingFiles(
      'http://idx.local/legacy/',
      'x',
      '1.0.0',
      fast({ fetch: own.fetch, authorization: 'Basic c2VjcmV0' }),
    );
    expect(own.calls.map((c) => c.headers.Authorization)).toEqual(['Basic c2VjcmV0', 'Basic c2VjcmV0']);
  });
});

describe('parseSimple', () => {
  it('reads file names from the URL, entities decoded, and hashes from the fragment', () => {
    const html = [
      `<a href='../../packages/a%2Bb/x-1.0-py3-none-any.whl#md5=00&amp;sha256=${SHA_A}'>x-1.0-py3-none-any.whl</a>`,
      `<a data-x="1" href="/files/y&#45;1.0.tar.gz">y-1.0.tar.gz</a>`,
    ].join('\n');
    expect(parseSimple(html, 'text/html')).toEqual([
      { filename: 'x-1.0-py3-none-any.whl', sha256: SHA_A },
      { filename: 'y-1.0.tar.gz', sha256: undefined },
    ]);
  });
});
