import { describe, expect, it } from 'vitest';
import { createGithubClient, GithubHttpError } from './client.js';

/** A fetch answering from a list, recording method, URL and the time of each call. */
function scripted(statuses: number[]) {
  const calls: Array<{ method: string; url: string; at: number }> = [];
  const fetch = (async (url: string | URL, init?: RequestInit) => {
    calls.push({ method: init?.method ?? 'GET', url: String(url), at: Date.now() });
    const status = statuses.shift() ?? 200;
    return new Response(JSON.stringify({ message: `answer ${status}` }), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const retry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

describe('createGithubClient', () => {
  it('retries reads on 5xx but never a write', async () => {
    const read = scripted([502, 200]);
    const client = createGithubClient({
      apiUrl: 'http://gh.local/api/v3/',
      token: 't',
      fetch: read.fetch,
      retry,
    });
    expect((await client.request('GET', '/repos/a/b')).status).toBe(200);
    expect(read.calls.map((c) => c.url)).toEqual([
      'http://gh.local/api/v3/repos/a/b',
      'http://gh.local/api/v3/repos/a/b',
    ]);

    const write = scripted([502]);
    const writer = createGithubClient({ apiUrl: 'http://gh.local', token: 't', fetch: write.fetch, retry });
    const error = await writer.request('POST', '/repos/a/b/releases', { body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GithubHttpError);
    expect((error as GithubHttpError).status).toBe(502);
    expect(write.calls).toHaveLength(1);
  });

  it('sends writes one after another, spaced', async () => {
    const { fetch, calls } = scripted([]);
    const client = createGithubClient({
      apiUrl: 'http://gh.local',
      token: 't',
      fetch,
      retry,
      writeIntervalMs: 60,
    });
    await Promise.all([1, 2, 3].map((n) => client.request('PATCH', `/x/${n}`, { body: {} })));
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(55);
  });

  it('treats listed statuses as answers', async () => {
    const { fetch } = scripted([404]);
    const client = createGithubClient({ apiUrl: 'http://gh.local', token: 't', fetch, retry });
    expect((await client.request('GET', '/missing', { accept: [404] })).status).toBe(404);
  });
});
