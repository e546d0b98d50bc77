/**
 * RELIABILITY 19 — two runs pick the same version. Two real semantic-release runs start at once on
 * the same commit from two clones and meet at a barrier after prepare, so both tag and publish at the
 * same moment. Their tags are the same lightweight tag and (written in the same second, as two CI jobs
 * can) their notes are the same commit, so semantic-release lets both through; the claim
 * semantic-release-stack pushes before publishing lets exactly one publish: one set of registry
 * tags, one GitHub release, one dev-version commit. The other stops with ECONCURRENT, having
 * published nothing. (The dev-version push surviving a moved branch is in
 * test/integration/versions-release.test.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockRef } from '../../src/core/release-lock.js';
import { ensureDocker } from '../helpers/docker.js';
import {
  cloneRemote,
  commitAndPush,
  createRepo,
  logOf,
  tagsOf,
  type Clone,
  type TestRepo,
} from '../helpers/git.js';
import {
  GitHubStandin,
  githubEnv,
  linkRepo,
  type StartedStandin,
  githubPlugin,
} from '../helpers/github-standin.js';
import { listTags, startRegistry, type Registry } from '../helpers/registry.js';
import { runSemanticRelease } from '../helpers/semantic-release.js';
import { manifestPuts } from '../kinds/docker/fixture.js';
import { FIXTURE_PLUGINS, PLUGIN, requireDist, serviceFiles } from './support.js';

let registry: Registry;
let github: GitHubStandin;
let started: StartedStandin;
let dockerHost: string;
let scratch: string;
let repo: TestRepo;
let clone: Clone;

beforeAll(async () => {
  requireDist();
  ({ host: dockerHost } = await ensureDocker());
  registry = await startRegistry();
  github = new GitHubStandin({ repos: ['acme/demo'] });
  started = await github.start();
  scratch = await mkdtemp(path.join(tmpdir(), 'srs-concurrency-'));
  repo = await createRepo({ files: await serviceFiles(), slug: 'acme/demo' });
});

afterAll(async () => {
  await registry?.stop();
  await started?.stop();
  await clone?.cleanup();
  await repo?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const IMAGE = 'acme/os-vim-driver';

describe('two releases of the same commit at once', () => {
  it('exactly one tags and publishes; the other stops with ECONCURRENT and publishes nothing', async () => {
    const repositoryUrl = linkRepo(repo, started);
    await commitAndPush(repo, 'feat: the first feature', { 'osvimdriver/feature.py': 'X = 1\n' });
    clone = await cloneRemote(repo);
    const config = {
      branches: ['main'],
      repositoryUrl,
      plugins: [
        '@semantic-release/commit-analyzer',
        '@semantic-release/release-notes-generator',
        [
          PLUGIN,
          {
            python: { build: false, versionFiles: ['osvimdriver/pkg_info.json'] },
            docs: { dir: 'docs', name: 'os-vim-driver' },
            docker: { image: `${registry.host}/${IMAGE}`, wheelsDir: false },
            helm: { chart: 'helm/os-vim-driver', imageTagKey: 'docker.version' },
            devVersion: true,
          },
        ],
        path.join(FIXTURE_PLUGINS, 'barrier.mjs'),
        githubPlugin([{ path: 'release-artifacts/*.tgz' }, { path: 'release-artifacts/manifest.json' }]),
      ],
    };
    const env = {
      ...githubEnv(github),
      DOCKER_HOST: dockerHost,
      HOME: scratch,
      BARRIER_DIR: await mkdtemp(path.join(scratch, 'barrier-')),
      BARRIER_COUNT: '2',
      // Pushes in the very same instant make the remote refuse the second tag ("cannot lock ref"),
      // which stops that run too; a second apart, semantic-release's tag push passes as "up to date".
      BARRIER_STAGGER_MS: '1500',
      // Both runs write their git notes "in the same second", so semantic-release's own pushes of
      // tag and notes succeed for both: only the claim can tell them apart.
      GIT_AUTHOR_DATE: '@1700000000 +0000',
      GIT_COMMITTER_DATE: '@1700000000 +0000',
    };
    const other = { dir: clone.dir, git: clone.git, remote: repo.remote, urlAliases: repo.urlAliases };
    const results = await Promise.all([
      runSemanticRelease(repo, { config, env }),
      runSemanticRelease(other, { config, env }),
    ]);
    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners, results.map((r) => r.output).join('\n\n=====\n\n')).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const [winner, loser] = [winners[0]!, losers[0]!];
    // Both got past semantic-release's tag push: it was the claim that stopped the second.
    for (const r of results) expect(r.output).toContain('Every release reached the barrier.');
    expect(loser.output).toMatch(/✘ +ECONCURRENT Another release of v1\.0\.0 is publishing it/);
    expect(loser.output).toContain('Nothing was published by this run.');
    expect(loser.output).not.toContain('Start step "publish" of plugin "@semantic-release/github"');
    expect(loser.output).not.toMatch(/Pushed .*acme\/os-vim-driver/);
    expect(winner.output).toMatch(/Pushed .*acme\/os-vim-driver:1\.0\.0/);

    // One set of everything.
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
    expect((await listTags(registry, IMAGE)).sort()).toEqual(['1.0.0', 'latest']);
    expect((await manifestPuts(registry)).sort()).toEqual([`${IMAGE}:1.0.0`, `${IMAGE}:latest`]);
    expect(github.releases.map((r) => r.tag_name)).toEqual(['v1.0.0']);
    expect(github.assets.map((a) => a.name).sort()).toEqual([
      'manifest.json',
      'os-vim-driver-1.0.0-docs.tgz',
      'os-vim-driver-1.0.0.tgz',
    ]);
    const subjects = (await logOf(repo.remote, 'main')).map((c) => c.subject);
    expect(subjects.filter((s) => s.startsWith('chore(release): 1.1.0.dev0'))).toHaveLength(1);
    // The claim on the remote is the winner's.
    const claim = await repo.git(['ls-remote', repo.remote, lockRef('v1.0.0')]);
    expect(claim).toMatch(/^[0-9a-f]{40}\trefs\/semantic-release-stack\/releases\/v1\.0\.0$/);
  });
});
