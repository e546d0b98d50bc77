import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cloneRemote,
  commit,
  commitAndPush,
  createRepo,
  releaseNoteOf,
  tagCommit,
  tagsOf,
  type TestRepo,
} from '../helpers/git.js';
import { runSemanticRelease, semanticReleaseEnv } from '../helpers/semantic-release.js';

const config = {
  branches: ['main'],
  plugins: ['@semantic-release/commit-analyzer', '@semantic-release/release-notes-generator'],
};

describe('runSemanticRelease (real semantic-release CLI)', () => {
  let repo: TestRepo | undefined;
  afterEach(async () => {
    await repo?.cleanup();
    repo = undefined;
  });

  it('builds a controlled env: CI=true, no CI-provider or GIT_* leaks, caller env last', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTION: 'x',
        GITLAB_CI: 'true',
        GIT_DIR: '/x',
      });
      process.env.HTTP_PROXY = 'http://proxy.invalid:3128';
      const env = semanticReleaseEnv(
        { remote: '/r.git', urlAliases: ['http://h/o/r.git'] },
        { FOO: 'bar', CI: undefined },
      );
      expect(env.GITHUB_ACTIONS).toBeUndefined();
      expect(env.GITHUB_ACTION).toBeUndefined();
      expect(env.GITLAB_CI).toBeUndefined();
      expect(env.GIT_DIR).toBeUndefined();
      expect(env.HTTP_PROXY).toBeUndefined();
      expect(env.CI).toBeUndefined();
      expect(env.FOO).toBe('bar');
      expect(env.PATH).toBe(process.env.PATH);
      expect(env).toMatchObject({
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'url./r.git.insteadOf',
        GIT_CONFIG_VALUE_0: 'http://h/o/r.git',
        GIT_AUTHOR_NAME: 'SRS Test',
      });
      expect(semanticReleaseEnv({ remote: '/r.git', urlAliases: [] }).CI).toBe('true');
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it('a feat: commit releases v1.0.0: tag and notes pushed to the bare remote', async () => {
    repo = await createRepo({ files: { 'README.md': '# demo\n' } });
    const sha = await commitAndPush(repo, 'feat: first feature');

    const dry = await runSemanticRelease(repo, { config, dryRun: true });
    expect(dry.code, dry.output).toBe(0);
    // logger.warn lines (dry-run notices) go to stderr: match on the interleaved output.
    expect(dry.stdout).toContain('There is no previous release, the next release version is 1.0.0');
    expect(dry.output).toContain('Skip v1.0.0 tag creation in dry-run mode');
    expect(dry.output).toMatch(
      /Run automated release from branch main on repository file:\/\/\/.*remotes\/acme\/demo\.git in dry-run mode/,
    );
    expect(await tagsOf(repo.remote)).toEqual([]);

    const result = await runSemanticRelease(repo, { config });
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('Allowed to push to the Git repository');
    expect(result.stdout).toContain('Created tag v1.0.0');
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
    expect(await tagCommit(repo.remote, 'v1.0.0')).toBe(sha);
    expect(await releaseNoteOf(repo.remote, 'v1.0.0')).toEqual({ channels: [null] });

    // The config file is not committed and not even untracked for git.
    expect(await readFile(join(repo.dir, '.releaserc.json'), 'utf8')).toContain('commit-analyzer');
    expect(await repo.git(['status', '--porcelain'])).toBe('');

    // Nothing new: no release.
    const again = await runSemanticRelease(repo, {});
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('There are no relevant changes, so no new version is released');

    await commitAndPush(repo, 'fix: a bug');
    const patch = await runSemanticRelease(repo, {});
    expect(patch.code, patch.output).toBe(0);
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0', 'v1.0.1']);
  });

  it('does not release when the remote branch moved ahead of the local one', async () => {
    repo = await createRepo();
    await commitAndPush(repo, 'feat: mine');
    const other = await cloneRemote(repo);
    await commitAndPush(other, 'fix: theirs');
    const result = await runSemanticRelease(repo, { config });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(
      "The local branch main is behind the remote one, therefore a new version won't be published",
    );
    expect(await tagsOf(repo.remote)).toEqual([]);
  });

  it('releases from the given branch only (branch option)', async () => {
    repo = await createRepo();
    await repo.git(['checkout', '--quiet', '-b', 'next']);
    await commit(repo, 'feat: on next');
    await repo.git(['push', '--quiet', '--set-upstream', 'origin', 'next']);
    await repo.git(['checkout', '--quiet', 'main']);
    const result = await runSemanticRelease(repo, {
      branch: 'next',
      config: { plugins: config.plugins },
    });
    expect(result.code, result.output).toBe(0);
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
    expect(await repo.git(['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('next');
  });
});
