/**
 * RELIABILITY 2 — the dev-version commit can't be pushed (branch protection). Through the REAL
 * `semantic-release --dry-run` with the built composite plugin and @semantic-release/github pointed
 * at the GitHub stand-in: when GitHub says the token may not push to the release branch (classic
 * protection and a ruleset without bypass), verifyConditions refuses with EBRANCHPROTECTED and its
 * fix, nothing is planned or built, the work tree and the remote are untouched and GitHub got no
 * write. Lifting the protection lets the same dry run through, so the refusal is the protection's.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAndPush, createRepo, type TestRepo } from '../helpers/git.js';
import { GitHubStandin, githubEnv, linkRepo, type StartedStandin } from '../helpers/github-standin.js';
import { runSemanticRelease } from '../helpers/semantic-release.js';
import { PLUGIN, requireDist, serviceFiles } from './support.js';

let github: GitHubStandin;
let started: StartedStandin;
let repo: TestRepo;

beforeAll(async () => {
  requireDist();
  github = new GitHubStandin({
    repos: ['acme/demo'],
    branchProtection: { main: { viewerCanPush: false } },
    rulesets: [
      {
        id: 9,
        name: 'reviewed main',
        include: ['~DEFAULT_BRANCH'],
        rules: [{ type: 'deletion' }, { type: 'pull_request' }],
        currentUserCanBypass: 'never',
      },
    ],
  });
  started = await github.start();
  repo = await createRepo({ files: await serviceFiles(), slug: 'acme/demo' });
});

afterAll(async () => {
  await started?.stop();
  await repo?.cleanup();
});

const remoteHead = () => repo.git(['--git-dir', repo.remote, 'rev-parse', 'refs/heads/main']);

describe('a release branch the token may not push to', () => {
  it('is refused in verifyConditions of semantic-release --dry-run, before anything is built', async () => {
    const repositoryUrl = linkRepo(repo, started);
    await commitAndPush(repo, 'feat: the first feature', { 'osvimdriver/feature.py': 'X = 1\n' });
    const config = {
      branches: ['main'],
      repositoryUrl,
      plugins: [
        '@semantic-release/commit-analyzer',
        '@semantic-release/release-notes-generator',
        [PLUGIN, { docs: { dir: 'docs', name: 'os-vim-driver' }, devVersion: true }],
        ['@semantic-release/github', { successComment: false, failComment: false }],
      ],
    };
    const headBefore = await remoteHead();
    const result = await runSemanticRelease(repo, { config, env: githubEnv(github), dryRun: true });

    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toContain(`Failed step "verifyConditions" of plugin "${PLUGIN}"`);
    expect(result.output).toMatch(/✘ +EBRANCHPROTECTED /);
    expect(result.output).toContain('branch protection rule does not let this token push');
    expect(result.output).toContain('ruleset "reviewed main" (id 9, from acme/demo) requires pull_request');
    expect(result.output).toContain('"devVersion": false');
    expect(result.output).not.toContain(github.token);
    // Only the coded error: no dump, no plan, nothing built.
    expect(result.output).not.toContain('An error occurred while running semantic-release');
    expect(result.output).not.toContain('Release plan for');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    expect(existsSync(path.join(repo.dir, 'release-artifacts'))).toBe(false);
    expect(await remoteHead()).toBe(headBefore);
    // GitHub was only read: the protection question is a GraphQL query (a POST that writes nothing).
    expect(github.graphqlQueries.map((q) => q.query).filter((q) => /refUpdateRule/.test(q))).toHaveLength(1);
    expect(github.writes().map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(github.releases).toEqual([]);
  });

  it('goes through once the token may push (control)', async () => {
    github.branchProtection.main = { viewerCanPush: true };
    github.rulesets[0]!.currentUserCanBypass = 'always';
    const result = await runSemanticRelease(repo, { env: githubEnv(github), dryRun: true });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Completed step "verifyConditions" of plugin "' + PLUGIN + '"');
    expect(result.output).toContain('this token may bypass it (always)');
    expect(result.output).toContain('Release plan for v1.0.0');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
  });
});
