import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../test/helpers/contexts.js';
import { GitHubStandin } from '../../test/helpers/github-standin.js';
import { sha256File } from '../core/manifest.js';
import { createHttpClient } from '../core/http.js';
import { githubClient, StackOctokit } from './client.js';
import { completeRelease, type LocalAsset, type ReleaseTarget } from './release.js';

let github: GitHubStandin;
let dir: string;
let assets: LocalAsset[];

beforeAll(async () => {
  github = new GitHubStandin({ repos: ['acme/app'] });
  await github.start();
  dir = await mkdtemp(path.join(tmpdir(), 'srs-github-release-'));
  assets = [];
  for (const [name, text] of [
    ['app-1.0.0.tgz', 'chart'],
    ['SHA256SUMS', 'sums\n'],
  ]) {
    const file = path.join(dir, name!);
    await writeFile(file, text!);
    assets.push({ name: name!, file, ...(await sha256File(file)) });
  }
});

afterAll(async () => {
  await github?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Writes unthrottled: client.test.ts checks the spacing; here it would only add seconds.
const Unthrottled = StackOctokit.defaults({ throttle: { enabled: false } });

const target = (tag: string, extra: Partial<ReleaseTarget> = {}): ReleaseTarget => ({
  client: githubClient(Unthrottled, {
    apiUrl: github.apiUrl,
    token: github.token,
    http: createHttpClient({ env: {} }),
    logger: recordingLogger(),
  }),
  owner: 'acme',
  repo: 'app',
  tag,
  create: { name: tag, body: 'notes', prerelease: false },
  keepDraft: false,
  latest: true,
  dryRun: false,
  logger: recordingLogger(),
  ...extra,
});

const writes = () => github.requests.filter((r) => r.method !== 'GET').length;

describe('completeRelease', () => {
  it('creates a missing release as a draft, uploads every asset, then publishes it', async () => {
    const outcome = await completeRelease(target('v1.0.0'), assets);
    const release = github.releases.find((r) => r.tag_name === 'v1.0.0')!;
    expect(release).toMatchObject({ draft: false, body: 'notes', name: 'v1.0.0' });
    expect(github.assetsOf('v1.0.0').map((a) => a.name)).toEqual(['app-1.0.0.tgz', 'SHA256SUMS']);
    // Created as a draft: published only after the uploads.
    const created = github.calls('POST', '/repos/acme/app/releases')[0]!;
    expect((created.json as { draft: boolean }).draft).toBe(true);
    expect(outcome.published.at(-1)).toMatch(/^published the GitHub release /);
    expect(outcome.skipped).toEqual([]);
  });

  it('sends make_latest on the create and on the publish, "false" when the rule says not latest', async () => {
    const latestOf = () => github.latestRelease('acme', 'app')?.tag_name;
    const sent = (from: number) =>
      github
        .writes()
        .slice(from)
        .filter((r) => r.json !== undefined) // the uploads are bytes
        .map((r) => `${r.method} ${(r.json as { make_latest?: string }).make_latest}`);
    let from = github.writes().length;
    await completeRelease(target('v1.5.0'), assets);
    expect(sent(from)).toEqual(['POST true', 'PATCH true']);
    expect(latestOf()).toBe('v1.5.0');
    from = github.writes().length;
    await completeRelease(target('v1.4.1', { latest: false }), assets);
    expect(sent(from)).toEqual(['POST false', 'PATCH false']);
    expect(latestOf()).toBe('v1.5.0');
  });

  it('keeps the draft a draft under draftRelease, and a dry run writes nothing', async () => {
    await completeRelease(target('v1.1.0', { keepDraft: true }), assets);
    expect(github.releases.find((r) => r.tag_name === 'v1.1.0')?.draft).toBe(true);

    const before = writes();
    const logger = recordingLogger();
    const dry = await completeRelease(target('v1.2.0', { dryRun: true, logger }), assets);
    expect(writes()).toBe(before);
    expect(dry.published).toEqual([]);
    expect(logger.lines).toContain('log: Would upload app-1.0.0.tgz to a new GitHub release');
    expect(logger.lines).toContain('log: Would publish a new GitHub release (make_latest true)');
  });

  it('reports every differing asset at once and uploads nothing', async () => {
    await completeRelease(target('v2.0.0', { keepDraft: true }), assets);
    for (const asset of github.assetsOf('v2.0.0')) asset.data = Buffer.from(`other ${asset.name}`);
    const before = writes();
    const error = await completeRelease(target('v2.0.0'), assets).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    const codes = (error as AggregateError).errors.map((e: { code: string }) => e.code);
    expect(codes).toEqual(['EGITHUBASSETCONFLICT', 'EGITHUBASSETCONFLICT']);
    expect(writes()).toBe(before);
    expect(github.releases.find((r) => r.tag_name === 'v2.0.0')?.draft).toBe(true);
  });

  it('turns an API failure into EGITHUBRELEASE without the token', async () => {
    github.failNext(1, 403, (r) => r.method === 'POST');
    const error = (await completeRelease(target('v3.0.0'), assets).catch((e: unknown) => e)) as Error & {
      code: string;
    };
    expect(error.code).toBe('EGITHUBRELEASE');
    expect(error.message).toContain('HTTP 403');
    expect(`${error.message} ${(error as { details?: string }).details}`).not.toContain(github.token);
  });
});
