import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cloneRemote,
  commitAndPush,
  createRepo,
  logOf,
  showFile,
  tagsOf,
  type TestRepo,
} from '../helpers/git.js';
import { PROJECT_ROOT, runSemanticRelease } from '../helpers/semantic-release.js';
import { PLUGIN, repoPerTest } from './support.js';

const MOVER = path.join(PROJECT_ROOT, 'test/fixtures/plugins/move-branch.mjs');

const FILES = {
  '.gitignore': 'release-artifacts/\n',
  'osvimdriver/pkg_info.json': '{"version": "0.1.0", "ignition-version": "==0.1.0"}\n',
  'helm/os-vim-driver/Chart.yaml':
    '# chart\napiVersion: v2\nname: os-vim-driver\nversion: 0.1.0\nappVersion: "0.1.0"\n',
  'helm/os-vim-driver/values.yaml':
    'docker:\n  image: accanto/os-vim-driver\n  version: 0.1.0 # set by the release\n',
};
const VERSION_FILES = Object.keys(FILES).filter((f) => f !== '.gitignore');

/** `before` plugins run each step ahead of semantic-release-stack. */
function releaseConfig(
  repo: TestRepo,
  before: unknown[] = [],
  python: Record<string, unknown> = { build: false, versionFiles: ['osvimdriver/pkg_info.json'] },
) {
  return {
    branches: ['main'],
    repositoryUrl: repo.remoteUrl,
    plugins: [
      '@semantic-release/commit-analyzer',
      '@semantic-release/release-notes-generator',
      ['@semantic-release/changelog', { changelogFile: 'CHANGELOG.md' }],
      ...before,
      [
        PLUGIN,
        {
          python,
          helm: { chart: 'helm/os-vim-driver', imageTagKey: 'docker.version' },
          devVersion: true,
        },
      ],
      ['@semantic-release/git', { assets: [...VERSION_FILES, 'CHANGELOG.md'] }],
    ],
  };
}

async function filesAt(repo: TestRepo, ref: string) {
  const json = JSON.parse(await showFile(repo.remote, ref, 'osvimdriver/pkg_info.json'));
  const chart = await showFile(repo.remote, ref, 'helm/os-vim-driver/Chart.yaml');
  const values = await showFile(repo.remote, ref, 'helm/os-vim-driver/values.yaml');
  return { json, chart, values };
}

const repos = repoPerTest();

describe('a versions-only release through the real semantic-release CLI', () => {
  it('writes the versions at each tag and the next dev version after each release', async () => {
    const repo = repos.use(await createRepo({ files: FILES }));
    await commitAndPush(repo, 'feat: first feature', { 'src.txt': 'one\n' });
    const first = await runSemanticRelease(repo, { config: releaseConfig(repo) });
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('Release plan for v1.0.0 (1.0.0)');
    expect(first.output).toContain('osvimdriver/pkg_info.json version: 0.1.0 → 1.0.0');

    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
    const atTag = await filesAt(repo, 'v1.0.0');
    expect(atTag.json).toEqual({ version: '1.0.0', 'ignition-version': '==0.1.0' });
    // (showFile returns the blob without its final newline)
    expect(atTag.chart).toBe(
      '# chart\napiVersion: v2\nname: os-vim-driver\nversion: 1.0.0\nappVersion: "1.0.0"',
    );
    expect(atTag.values).toContain('  version: 1.0.0 # set by the release');
    expect(await showFile(repo.remote, 'v1.0.0', 'CHANGELOG.md')).toContain('first feature');

    const log = await logOf(repo.remote, 'main');
    expect(log[0]!.subject).toBe('chore(release): 1.1.0.dev0 [skip ci]');
    const dev = await filesAt(repo, 'main');
    expect(dev.json.version).toBe('1.1.0.dev0');
    expect(dev.chart).toContain('version: 1.1.0-dev.0\nappVersion: "1.1.0.dev0"');
    expect(dev.values).toContain('  version: 1.1.0.dev0 # set by the release');
    const changed = await repo.git(['diff', '--name-only', 'HEAD~1', 'HEAD']);
    expect(changed.trim().split('\n').sort()).toEqual([...VERSION_FILES].sort());

    await commitAndPush(repo, 'feat: second feature', { 'src.txt': 'two\n' });
    const second = await runSemanticRelease(repo, { config: releaseConfig(repo) });
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('osvimdriver/pkg_info.json version: 1.1.0.dev0 → 1.1.0');
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0', 'v1.1.0']);
    expect((await filesAt(repo, 'v1.1.0')).json.version).toBe('1.1.0');
    expect((await filesAt(repo, 'main')).json.version).toBe('1.2.0.dev0');
  });

  it('rebases only the dev-version commit when the branch moved during the release', async () => {
    const repo = repos.use(await createRepo({ files: FILES }));
    const other = await cloneRemote(repo);
    await commitAndPush(repo, 'fix: a bug', { 'src.txt': 'fixed\n' });
    const result = await runSemanticRelease(repo, {
      config: releaseConfig(repo, [MOVER]),
      env: { MOVE_BRANCH_CLONE: other.dir, MOVE_BRANCH_NAME: 'main' },
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('moved during the release');
    const subjects = (await logOf(repo.remote, 'main')).map((c) => c.subject);
    expect(subjects.slice(0, 3)).toEqual([
      'chore(release): 1.1.0.dev0 [skip ci]',
      'docs: someone else pushed meanwhile',
      expect.stringMatching(/^chore\(release\): 1\.0\.0 \[skip ci\]/),
    ]);
    expect((await filesAt(repo, 'main')).json.version).toBe('1.1.0.dev0');
  });

  it("writes a set entry's release value at the tag and its dev value after it (the seed's ignition-version)", async () => {
    const repo = repos.use(await createRepo({ files: FILES }));
    await commitAndPush(repo, 'feat: first feature', { 'src.txt': 'one\n' });
    const python = {
      build: false,
      versionFiles: [
        {
          path: 'osvimdriver/pkg_info.json',
          set: { 'ignition-version': { release: '=={pep440}', dev: '>={pep440}' } },
        },
      ],
    };
    const result = await runSemanticRelease(repo, { config: releaseConfig(repo, [], python) });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('osvimdriver/pkg_info.json ignition-version: ==0.1.0 → ==1.0.0');
    expect((await filesAt(repo, 'v1.0.0')).json).toEqual({ version: '1.0.0', 'ignition-version': '==1.0.0' });
    expect((await filesAt(repo, 'main')).json).toEqual({
      version: '1.1.0.dev0',
      'ignition-version': '>=1.1.0.dev0',
    });
    // The raw file keeps its layout: only the two values changed.
    expect(await showFile(repo.remote, 'main', 'osvimdriver/pkg_info.json')).toBe(
      '{"version": "1.1.0.dev0", "ignition-version": ">=1.1.0.dev0"}',
    );
  });

  it('changes nothing in a dry run', async () => {
    const repo = repos.use(await createRepo({ files: FILES }));
    await commitAndPush(repo, 'feat: something', { 'src.txt': 'x\n' });
    const before = await repo.git(['rev-parse', 'HEAD']);
    const result = await runSemanticRelease(repo, { config: releaseConfig(repo), dryRun: true });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('dry run, nothing will be written');
    expect(result.output).toContain('then    set the next development version 1.1.0.dev0');
    expect(await tagsOf(repo.remote)).toEqual([]);
    expect(await repo.git(['rev-parse', 'HEAD'])).toBe(before);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
  });
});

describe('a rewritten history', () => {
  it('stops in verifyRelease, before any file is written, when a released tag is no longer reachable', async () => {
    const repo = repos.use(await createRepo({ files: FILES }));
    const base = (await repo.git(['rev-parse', 'HEAD'])).trim();
    await commitAndPush(repo, 'feat: first feature', { 'src.txt': 'one\n' });
    const first = await runSemanticRelease(repo, { config: releaseConfig(repo) });
    expect(first.code, first.output).toBe(0);

    // someone force-pushes main back to before the release, then adds a feature
    await repo.git(['reset', '--hard', base]);
    await repo.git(['push', '--force', 'origin', 'main']);
    await commitAndPush(repo, 'feat: rewritten feature', { 'src.txt': 'rewritten\n' });
    const head = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const second = await runSemanticRelease(repo, { config: releaseConfig(repo) });
    expect(second.code).not.toBe(0);
    expect(second.output).toContain('EHISTORYREWRITTEN');
    expect(second.output).not.toContain('Start step "prepare"');
    expect((await repo.git(['rev-parse', 'HEAD'])).trim()).toBe(head);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
  });
});
