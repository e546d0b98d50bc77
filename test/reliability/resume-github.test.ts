/**
 * RELIABILITY 12, 13 — the GitHub release exists in part. A real semantic-release run has
 * @semantic-release/github create its draft and upload the assets, and one upload is refused, so the
 * run fails with the tag pushed and a draft holding some of the assets. `semantic-release-stack publish
 * --tag` re-creates the artifacts at the tag, finds the draft by its tag, uploads only what it lacks
 * and publishes it; a second run changes nothing; an asset with other content stops the command
 * before it writes anything. GitHub is the REST stand-in; the artifacts, git and semantic-release are
 * real.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAndPush, createRepo, tagsOf, type TestRepo } from '../helpers/git.js';
import {
  GitHubStandin,
  githubEnv,
  linkRepo,
  type StartedStandin,
  githubPlugin,
} from '../helpers/github-standin.js';
import { GITHUB_ASSETS } from '../../src/preset.js';
import { runSemanticRelease, semanticReleaseEnv } from '../helpers/semantic-release.js';

import { runCli, serviceFiles, serviceRelease, SERVICE, requireServiceBuild } from './support.js';

let github: GitHubStandin;
let started: StartedStandin;
let scratch: string;
let repo: TestRepo;
let repositoryUrl: string;

beforeAll(async () => {
  await requireServiceBuild();
  github = new GitHubStandin({ repos: ['acme/demo'] });
  started = await github.start();
  scratch = await mkdtemp(path.join(tmpdir(), 'srs-resume-github-'));
  repo = await createRepo({ files: await serviceFiles(), slug: 'acme/demo' });
  repositoryUrl = linkRepo(repo, started);
});

afterAll(async () => {
  await started?.stop();
  await repo?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const ASSETS = [
  'SHA256SUMS',
  'manifest.json',
  'os-vim-driver-1.0.0-docs.tgz',
  'os-vim-driver-1.0.0.tar.gz',
  'os-vim-driver-1.0.0.tgz',
  'os_vim_driver-1.0.0-py3-none-any.whl',
];

function releaseConfig() {
  return serviceRelease(
    repositoryUrl,
    { python: SERVICE.python, docs: SERVICE.docs, helm: SERVICE.helm },
    { after: [githubPlugin(GITHUB_ASSETS)] },
  );
}

const env = () => semanticReleaseEnv(repo, { ...githubEnv(github), HOME: scratch });
const release = () => github.releases.find((r) => r.tag_name === 'v1.0.0');
const uploads = () => github.calls('POST', /\/releases\/\d+\/assets$/).filter((r) => r.status === 201);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('semantic-release-stack publish --tag completes a GitHub release', () => {
  it('uploads what the draft lacks, publishes it, and then leaves it alone', async () => {
    await commitAndPush(repo, 'feat: the first feature', { 'osvimdriver/feature.py': 'X = 1\n' });
    // The upload of SHA256SUMS is refused once (400 is not retried by @semantic-release/github).
    github.failNext(1, 400, (r) => r.method === 'POST' && r.url.includes('name=SHA256SUMS'));
    const failed = await runSemanticRelease(repo, { config: releaseConfig(), env: env() });
    expect(failed.code, failed.output).not.toBe(0);
    expect(await tagsOf(repo.remote), failed.output).toEqual(['v1.0.0']);
    expect(release()?.draft).toBe(true);
    const before = github.assetsOf('v1.0.0').map((a) => a.name);
    expect(before).not.toContain('SHA256SUMS');

    const resumed = await runCli(['publish', '--tag', 'v1.0.0'], { cwd: repo.dir, env: env() });
    expect(resumed.code, resumed.output).toBe(0);
    const assets = github.assetsOf('v1.0.0');
    expect(assets.map((a) => a.name).sort()).toEqual(ASSETS);
    expect(release()?.draft).toBe(false);
    // Every asset is the file SHA256SUMS names, the checksums themselves and the manifest included.
    const sums = assets.find((a) => a.name === 'SHA256SUMS')!.data.toString();
    for (const asset of assets.filter((a) => a.name.endsWith('.tgz') || a.name.endsWith('.whl')))
      expect(sums).toContain(`${sha256(asset.data)}  ${asset.name}\n`);
    for (const name of before)
      expect(resumed.stdout).toMatch(new RegExp(`skipped {4}${name.replace(/[.+]/g, '\\$&')} is already on`));
    expect(resumed.stdout).toContain('uploaded SHA256SUMS to');
    expect(resumed.stdout).toContain('published the GitHub release');
    // The only release, so the "latest" rule makes it Latest, and says so explicitly.
    const publish = github.calls('PATCH', /\/releases\/\d+$/).at(-1);
    expect(publish?.json).toEqual({ draft: false, make_latest: 'true' });
    expect(github.latestRelease('acme', 'demo')?.tag_name).toBe('v1.0.0');
    expect(resumed.stdout).toContain(
      `release    ${release() && `${started.url}/acme/demo/releases/tag/v1.0.0`}`,
    );

    const uploadsBefore = uploads().length;
    const again = await runCli(['publish', '--tag', 'v1.0.0'], { cwd: repo.dir, env: env() });
    expect(again.code, again.output).toBe(0);
    expect(uploads()).toHaveLength(uploadsBefore);
    for (const name of ASSETS) expect(again.stdout).toContain(`skipped    ${name} is already on`);
    expect(again.stdout).not.toContain('published  ');
  });

  it('stops on an asset with other content and changes nothing', async () => {
    const docs = github.assetsOf('v1.0.0').find((a) => a.name === 'os-vim-driver-1.0.0-docs.tgz')!;
    const original = docs.data;
    docs.data = Buffer.from('not the docs\n');
    const writesBefore = github.writes().length;
    try {
      const refused = await runCli(['publish', '--tag', 'v1.0.0'], { cwd: repo.dir, env: env() });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('EGITHUBASSETCONFLICT');
      expect(refused.stderr).toContain('os-vim-driver-1.0.0-docs.tgz');
      expect(refused.stderr).not.toContain(github.token);
      expect(github.writes().length).toBe(writesBefore);
    } finally {
      docs.data = original;
    }
  });

  it('stops before building anything when there is no GitHub token', async () => {
    const { GITHUB_TOKEN: _token, ...withoutToken } = env();
    const refused = await runCli(['publish', '--tag', 'v1.0.0'], { cwd: repo.dir, env: withoutToken });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('EGITHUBRELEASE');
    expect(refused.stderr).toContain('neither GH_TOKEN nor GITHUB_TOKEN is set');
    expect(refused.stderr).not.toContain('Resuming');
  });

  it('publishes an old release without taking Latest from a newer one (make_latest "false")', async () => {
    await commitAndPush(repo, 'feat: the second feature', { 'osvimdriver/second.py': 'Y = 2\n' });
    const released = await runSemanticRelease(repo, { config: releaseConfig(), env: env() });
    expect(released.code, released.output).toBe(0);
    expect(github.latestRelease('acme', 'demo')?.tag_name).toBe('v1.1.0');
    // v1.0.0 as a failed run leaves it: a draft that lacks SHA256SUMS.
    const old = release()!;
    Object.assign(old, { draft: true, published_at: null });
    const sums = github.assets.findIndex((a) => a.releaseId === old.id && a.name === 'SHA256SUMS');
    github.assets.splice(sums, 1);

    const resumed = await runCli(['publish', '--tag', 'v1.0.0'], { cwd: repo.dir, env: env() });
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.stdout).toContain('published the GitHub release');
    const publish = github.calls('PATCH', `/repos/acme/demo/releases/${old.id}`).at(-1);
    expect(publish?.json).toEqual({ draft: false, make_latest: 'false' });
    expect(release()?.draft).toBe(false);
    expect(github.latestRelease('acme', 'demo')?.tag_name).toBe('v1.1.0');
  });
});
