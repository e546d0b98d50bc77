import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadReleaseConfig, stackEntries, stackEntryOf } from './release-config.js';
import { decideBranch, releaseCommitSubject, versionOfTag } from './resume-release.js';

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('versionOfTag', () => {
  it('reads the version a tag names under tagFormat', () => {
    expect(versionOfTag('v1.4.0', 'v${version}')).toBe('1.4.0');
    expect(versionOfTag('v2.0.0-beta.3', 'v${version}')).toBe('2.0.0-beta.3');
    expect(versionOfTag('app@1.0.0+build.1', 'app@${version}')).toBe('1.0.0+build.1');
    expect(versionOfTag('release-1', 'v${version}')).toBeUndefined();
    expect(versionOfTag('v1.4', 'v${version}')).toBeUndefined();
    expect(versionOfTag('v1.4.0', 'no-version')).toBeUndefined();
  });
});

describe('decideBranch', () => {
  const options = {
    branches: ['+([0-9])?(.{+([0-9]),x}).x', 'main', 'next', { name: 'beta', prerelease: true }, '1.x'],
  };

  it('takes the first release branch for the default channel, with or without a note', () => {
    for (const noteChannel of [null, undefined]) {
      expect(decideBranch({ version: '1.4.0', options, noteChannel })).toMatchObject({
        name: 'main',
        type: 'release',
        main: true,
        channel: undefined,
      });
    }
  });

  it('follows the channel semantic-release noted on the tag: another release branch or a maintenance one', () => {
    expect(decideBranch({ version: '1.4.0', options, noteChannel: 'next' })).toMatchObject({
      name: 'next',
      type: 'release',
      main: false,
      channel: 'next',
    });
    expect(decideBranch({ version: '1.2.3', options, noteChannel: '1.x' })).toMatchObject({
      name: '1.x',
      type: 'maintenance',
      channel: '1.x',
    });
  });

  it('finds the prerelease branch from the version, and honours --branch', () => {
    expect(decideBranch({ version: '2.0.0-beta.3', options, noteChannel: undefined })).toMatchObject({
      name: 'beta',
      type: 'prerelease',
      prerelease: 'beta',
      channel: 'beta',
    });
    expect(
      decideBranch({ version: '1.2.3', options, noteChannel: undefined, branchOption: '1.x' }),
    ).toMatchObject({ name: '1.x', type: 'maintenance', reason: '--branch' });
  });
});

describe('releaseCommitSubject', () => {
  it("is @semantic-release/git's subject for the version, default or configured", () => {
    expect(releaseCommitSubject({ plugins: ['@semantic-release/git'] }, '1.4.0')).toBe(
      'chore(release): 1.4.0 [skip ci]',
    );
    expect(
      releaseCommitSubject(
        {
          plugins: [
            ['@semantic-release/git', { message: 'release <%= nextRelease.version %> on ${branch.name}' }],
          ],
        },
        '1.4.0',
      ),
    ).toBe('release 1.4.0 on ');
    expect(releaseCommitSubject({ plugins: ['@semantic-release/github'] }, '1.4.0')).toBeUndefined();
  });
});

describe('the release configuration', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'srs-release-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('recognises this package by name and by a path to its dist entry points', () => {
    expect(stackEntryOf('semantic-release-stack', dir)).toBe('composite');
    expect(stackEntryOf('semantic-release-stack/docker', dir)).toBe('docker');
    expect(stackEntryOf('semantic-release-stack/nope', dir)).toBeUndefined();
    expect(stackEntryOf(path.join(PACKAGE_ROOT, 'dist/index.js'), dir)).toBe('composite');
    expect(stackEntryOf(path.join(PACKAGE_ROOT, 'dist/kinds/dev-version/plugin.js'), dir)).toBe(
      'dev-version',
    );
    expect(stackEntryOf('@semantic-release/git', dir)).toBeUndefined();
  });

  it('reads package.json#release first, and YAML .releaserc', async () => {
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'x' }));
    await writeFile(
      path.join(dir, '.releaserc'),
      'tagFormat: app-${version}\nplugins:\n  - - semantic-release-stack/python\n    - versionFiles: [pyproject.toml]\n',
    );
    const loaded = await loadReleaseConfig(dir);
    expect(path.basename(loaded.file)).toBe('.releaserc');
    expect(loaded.options.tagFormat).toBe('app-${version}');
    expect(stackEntries(loaded.options, dir)).toEqual([
      { entry: 'python', config: { versionFiles: ['pyproject.toml'] } },
    ]);
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ release: { branches: ['trunk'] } }));
    expect((await loadReleaseConfig(dir)).options).toEqual({ branches: ['trunk'] });
  });

  it('merges the preset of `extends` under the own options (release.config.mjs)', async () => {
    await writeFile(
      path.join(dir, 'release.config.mjs'),
      "export default { extends: 'semantic-release-stack/preset', docker: { image: 'acme/app' } };\n",
    );
    const { options } = await loadReleaseConfig(dir);
    expect(options.docker).toEqual({ image: 'acme/app' });
    expect(stackEntries(options, dir)).toEqual([{ entry: 'composite', config: {} }]);
    expect(releaseCommitSubject(options, '1.0.0')).toBe('chore(release): 1.0.0 [skip ci]');
  });

  it('says what is wrong when there is no configuration or it does not parse', async () => {
    await expect(loadReleaseConfig(dir)).rejects.toMatchObject({ code: 'ERESUMECONFIG' });
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', '.releaserc.json'), '{ broken');
    await expect(loadReleaseConfig(path.join(dir, 'sub'))).rejects.toMatchObject({ code: 'ERESUMECONFIG' });
    await expect(loadReleaseConfig(dir, 'missing.json')).rejects.toMatchObject({ code: 'ERESUMECONFIG' });
  });
});
