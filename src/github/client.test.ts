/**
 * The GitHub client (Octokit and its plugins on the step's undici dispatcher) against the GitHub
 * stand-in over real HTTP, and through a real proxy.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../test/helpers/contexts.js';
import { GitHubStandin } from '../../test/helpers/github-standin.js';
import { startProxy, type StartedProxy } from '../../test/helpers/proxy.js';
import { freePort } from '../../test/helpers/registry.js';
import { createHttpClient } from '../core/http.js';
import { isStackError } from '../errors.js';
import { githubClient, StackOctokit } from './client.js';
import { describeGithubError, githubStatus } from './errors.js';
import { classicProtection } from './push-rules.js';

const standin = new GitHubStandin({ repos: ['acme/app'], token: 'ghs_client_Secret_1' });
let proxy: StartedProxy;

beforeAll(async () => {
  await standin.start();
  proxy = await startProxy();
});
afterAll(async () => {
  await Promise.all([standin.stop(), proxy?.stop()]);
});
beforeEach(() => {
  standin.requests.length = 0;
});

/** Octokit's retries wait (n+1)² ms instead of seconds; writes keep the throttling plugin's spacing. */
const QuickRetries = StackOctokit.defaults({ retry: { retryAfterBaseValue: 1 } });

const client = (env: Record<string, string> = {}, logger = recordingLogger()) =>
  githubClient(QuickRetries, {
    apiUrl: standin.apiUrl,
    token: standin.token,
    http: createHttpClient({ env }),
    logger,
  });

describe('the GitHub client', () => {
  it('retries a read on 5xx but sends a write once', async () => {
    standin.failNext(1, 502, (r) => r.method === 'GET');
    const read = await client().request('GET /repos/{owner}/{repo}/releases', { owner: 'acme', repo: 'app' });
    expect(read.status).toBe(200);
    expect(standin.calls('GET', '/repos/acme/app/releases')).toHaveLength(2);

    standin.failNext(1, 502, (r) => r.method === 'POST');
    const error = await client()
      .request('POST /repos/{owner}/{repo}/releases', { owner: 'acme', repo: 'app', tag_name: 'v1.0.0' })
      .catch((e: unknown) => e);
    expect(githubStatus(error)).toBe(502);
    expect(describeGithubError(error)).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/api\/v3\/repos\/acme\/app\/releases: HTTP 502/,
    );
    expect(standin.calls('POST', '/repos/acme/app/releases')).toHaveLength(1);
  });

  it('sends writes one after another, a second apart (plugin-throttling)', async () => {
    // When each request leaves: the dispatcher Octokit's fetch hands it to, with a recording layer.
    const http = createHttpClient({ env: {} });
    const sent: Array<{ method: string; at: number }> = [];
    const recording = http.dispatcher.compose((dispatch) => (opts, handler) => {
      sent.push({ method: String(opts.method), at: Date.now() });
      return dispatch(opts, handler);
    });
    const github = githubClient(QuickRetries, {
      apiUrl: standin.apiUrl,
      token: standin.token,
      http: { ...http, dispatcher: recording },
      logger: recordingLogger(),
    });
    const release = await github.request('POST /repos/{owner}/{repo}/releases', {
      owner: 'acme',
      repo: 'app',
      tag_name: 'v2.0.0',
      draft: true,
    });
    const id = (release.data as { id: number }).id;
    await Promise.all(
      ['a', 'b', 'c'].map((body) =>
        github.request('PATCH /repos/{owner}/{repo}/releases/{release_id}', {
          owner: 'acme',
          repo: 'app',
          release_id: id,
          body,
        }),
      ),
    );
    expect(sent.map((s) => s.method)).toEqual(['POST', 'PATCH', 'PATCH', 'PATCH']);
    // Creating a release also waits in the plugin's queue of writes that notify people (3 s apart)
    // after its turn among the writes, so the POST is left out of the comparison.
    const edits = sent.slice(1).map((s) => s.at);
    for (const gap of edits.slice(1).map((at, i) => at - edits[i]!)) expect(gap).toBeGreaterThanOrEqual(900);
  });

  it('asks GitHub Enterprise’s GraphQL next to its REST root', async () => {
    await classicProtection(client(), { owner: 'acme', repo: 'app', branch: 'main' });
    expect(standin.requests.map((r) => r.url)).toEqual(['/api/graphql']);
  });

  it('keeps the token out of errors and logs', async () => {
    standin.failNext(1, 403);
    const logger = recordingLogger();
    const error = await client({}, logger)
      .request('GET /repos/{owner}/{repo}/rulesets/{id}', { owner: 'acme', repo: 'app', id: 1 })
      .catch((e: unknown) => e);
    expect(githubStatus(error)).toBe(403);
    expect(JSON.stringify(error)).not.toContain(standin.token);
    expect(describeGithubError(error)).not.toContain(standin.token);
    expect(logger.text()).not.toContain(standin.token);
    expect(standin.requests[0]!.headers.authorization).toBe(`token ${standin.token}`);
  });

  it('goes through HTTP_PROXY, each request in the proxy’s log', async () => {
    const github = client({ HTTP_PROXY: proxy.url });
    await github.request('GET /repos/{owner}/{repo}/releases', { owner: 'acme', repo: 'app' });
    await classicProtection(github, { owner: 'acme', repo: 'app', branch: 'main' });
    const targets = (await proxy.requests()).map((r) => `${r.method} ${r.target}`);
    expect(targets.slice(-2)).toEqual([
      `GET ${standin.apiUrl}/repos/acme/app/releases`,
      `POST ${standin.url}/api/graphql`,
    ]);
    expect(standin.requests.map((r) => r.headers.via)).toEqual([
      expect.stringContaining('tinyproxy'),
      expect.stringContaining('tinyproxy'),
    ]);
  });

  it('reports a proxy that is down as EPROXY', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const error = await client({ https_proxy: dead, http_proxy: dead })
      .request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'app' })
      .catch((e: unknown) => e);
    if (!isStackError(error)) throw new Error(`not a coded error: ${String(error)}`);
    expect(error.code).toBe('EPROXY');
    expect(error.message).toContain(`The proxy ${dead} (from \`http_proxy\`)`);
    expect(standin.requests).toEqual([]);
  });
});
