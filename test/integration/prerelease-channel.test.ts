/**
 * A release without the Python kind on a prerelease channel PEP 440 has no phase for: the docs
 * archive and the chart of `2.0.0-next.1`, released by the REAL semantic-release CLI from a `next`
 * branch with no prereleaseMap anywhere. Only the kinds that need PEP 440 may stop such a release.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitAndPush, createRepo, showFile, tagsOf, type TestRepo } from '../helpers/git.js';
import { runSemanticRelease } from '../helpers/semantic-release.js';
import { tarFiles } from '../e2e/example.js';
import { PLUGIN, repoPerTest } from './support.js';

const FILES = {
  '.gitignore': 'release-artifacts/\n',
  'docs/index.html': '<h1>Service docs</h1>\n',
  'helm/svc/Chart.yaml': 'apiVersion: v2\nname: svc\nversion: 0.1.0\nappVersion: "0.1.0"\n',
  'helm/svc/values.yaml': 'image:\n  tag: 0.1.0\n',
};

function releaseConfig(repo: TestRepo, stack: Record<string, unknown>) {
  return {
    branches: ['main', { name: 'next', prerelease: true }],
    repositoryUrl: repo.remoteUrl,
    plugins: [
      '@semantic-release/commit-analyzer',
      '@semantic-release/release-notes-generator',
      [PLUGIN, stack],
      ['@semantic-release/git', { assets: ['helm/svc/Chart.yaml', 'helm/svc/values.yaml'] }],
    ],
  };
}

const repos = repoPerTest();

describe('docs and helm on the `next` prerelease channel, no Python, no prereleaseMap', () => {
  it('releases 1.0.0-next.1: versions, docs archive and chart, and the manifest holds no PEP 440', async () => {
    const repo = repos.use(await createRepo({ files: FILES }));
    await repo.git(['checkout', '--quiet', '-b', 'next']);
    await repo.git(['push', '--quiet', '--set-upstream', 'origin', 'next']);
    await commitAndPush(repo, 'feat: the next big thing', { 'src.txt': 'next\n' });
    const stack = { docs: { dir: 'docs', name: 'svc' }, helm: { chart: 'helm/svc' } };

    const result = await runSemanticRelease(repo, { config: releaseConfig(repo, stack) });
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain('EPRERELEASEMAP');
    expect(result.output).toContain('Release plan for v1.0.0-next.1 (1.0.0-next.1)');
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0-next.1']);

    const chart = await showFile(repo.remote, 'v1.0.0-next.1', 'helm/svc/Chart.yaml');
    expect(chart).toContain('version: 1.0.0-next.1\nappVersion: "1.0.0-next.1"');
    expect(await showFile(repo.remote, 'v1.0.0-next.1', 'helm/svc/values.yaml')).toContain(
      'tag: 1.0.0-next.1',
    );

    const dir = path.join(repo.dir, 'release-artifacts');
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.versions).toEqual({
      semver: '1.0.0-next.1',
      prerelease: true,
      imageTag: '1.0.0-next.1',
      chartVersion: '1.0.0-next.1',
      appVersion: '1.0.0-next.1',
      nextDev: null,
    });
    const docs = tarFiles(await readFile(path.join(dir, 'svc-1.0.0-next.1-docs.tgz')));
    expect([...docs.keys()]).toContain('svc-1.0.0-next.1-docs/index.html');
    const packaged = tarFiles(await readFile(path.join(dir, 'svc-1.0.0-next.1.tgz')));
    expect(packaged.get('svc/Chart.yaml')?.toString('utf8')).toContain('version: 1.0.0-next.1\n');
  });

  it('still stops a release whose Python kind needs PEP 440, before anything is written', async () => {
    const repo = repos.use(
      await createRepo({ files: { ...FILES, 'pkg_info.json': '{"version": "0.1.0"}\n' } }),
    );
    await repo.git(['checkout', '--quiet', '-b', 'next']);
    await repo.git(['push', '--quiet', '--set-upstream', 'origin', 'next']);
    await commitAndPush(repo, 'feat: the next big thing', { 'src.txt': 'next\n' });
    const stack = {
      docs: { dir: 'docs', name: 'svc' },
      python: { build: false, versionFiles: ['pkg_info.json'] },
    };

    const result = await runSemanticRelease(repo, { config: releaseConfig(repo, stack) });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('EPRERELEASEMAP');
    expect(result.output).toContain('"prereleaseMap": { "next": "rc" }');
    expect(result.output).not.toContain('Start step "prepare"');
    expect(await tagsOf(repo.remote)).toEqual([]);
  });
});
