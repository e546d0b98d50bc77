import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadReleaseConfig, stackEntries, stackEntryOf } from './release-config.js';
import type { ReleaseContext } from '../kind.js';
import { createRedactor } from '../redact.js';
import { withCredentials } from './git-auth-url.js';
import type { Manifest } from './manifest.js';
import { parseRecord, recordMessage, recordOf, withoutCredentials } from './release-record.js';
import { versionOfTag } from './resume-release.js';

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

describe('the release record in the claim commit', () => {
  const manifest = { gitHead: 'b'.repeat(40) } as Manifest;
  const ctx = {
    options: {
      repositoryUrl: 'https://x-access-token:ghs_secret123456@github.com/acme/demo.git',
      originalRepositoryURL: 'https://github.com/acme/demo.git',
      branches: ['main'],
      plugins: [['semantic-release-stack', { docker: { image: 'acme/app' } }]],
    },
    branch: { name: 'main', kind: 'release', main: true, prerelease: undefined },
    release: { gitTag: 'v1.4.0', version: '1.4.0', channel: undefined },
    releasedVersions: ['1.3.0', '1.3.1-beta.1'],
    defaultChannelVersions: ['1.3.0'],
  } as unknown as ReleaseContext;

  it('holds what semantic-release decided, without the token it put into repositoryUrl', () => {
    const redactor = createRedactor({ GITHUB_TOKEN: 'ghs_secret123456' });
    const message = recordMessage('subject line', recordOf(ctx, manifest, 'a'.repeat(40)), redactor);
    expect(message.startsWith('subject line\n\n')).toBe(true);
    expect(message).not.toContain('ghs_secret123456');
    expect(parseRecord(message)).toEqual({
      schema: 1,
      tag: 'v1.4.0',
      version: '1.4.0',
      tagCommit: 'a'.repeat(40),
      builtFrom: 'b'.repeat(40),
      branch: { name: 'main', type: 'release', main: true },
      releasedVersions: ['1.3.0', '1.3.1-beta.1'],
      defaultChannelVersions: ['1.3.0'],
      repositoryUrl: 'https://github.com/acme/demo.git',
      options: {
        repositoryUrl: 'https://github.com/acme/demo.git',
        branches: ['main'],
        plugins: [['semantic-release-stack', { docker: { image: 'acme/app' } }]],
      },
    });
    expect(parseRecord('semantic-release-stack publishes v1.0.0 (run 0123)')).toBeUndefined();
  });

  it('strips credentials from an URL and nothing else', () => {
    expect(withoutCredentials('https://u:p@host/a.git')).toBe('https://host/a.git');
    expect(withoutCredentials('git@github.com:acme/demo.git')).toBe('git@github.com:acme/demo.git');
    expect(withoutCredentials(undefined)).toBeUndefined();
  });
});

describe("semantic-release's authenticated URL", () => {
  it('puts the credentials into the https form of https, ssh and scp-like URLs', () => {
    expect(withCredentials('https://github.com/acme/demo.git', 'x-access-token:t0k3n')).toBe(
      'https://x-access-token:t0k3n@github.com/acme/demo.git',
    );
    expect(withCredentials('git@github.com:acme/demo.git', 'gitlab-ci-token:t0k3n')).toBe(
      'https://gitlab-ci-token:t0k3n@github.com/acme/demo.git',
    );
    expect(withCredentials('ssh://git@host.example:2222/acme/demo.git', 't0k3n')).toBe(
      'https://t0k3n@host.example/acme/demo.git',
    );
    expect(withCredentials('http://127.0.0.1:8080/acme/demo.git', 't0k3n')).toBe(
      'http://t0k3n@127.0.0.1:8080/acme/demo.git',
    );
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
    const loaded = await loadReleaseConfig(dir, '.releaserc');
    expect(path.basename(loaded.file)).toBe('.releaserc');
    expect(loaded.options.tagFormat).toBe('app-${version}');
    expect(stackEntries(loaded.options, dir)).toEqual([
      { entry: 'python', config: { versionFiles: ['pyproject.toml'] } },
    ]);
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ release: { branches: ['trunk'] } }));
    expect((await loadReleaseConfig(dir, 'package.json')).options).toEqual({ branches: ['trunk'] });
  });

  it('merges the preset of `extends` under the own options (release.config.mjs)', async () => {
    await writeFile(
      path.join(dir, 'release.config.mjs'),
      "export default { extends: 'semantic-release-stack/preset', docker: { image: 'acme/app' } };\n",
    );
    const { options } = await loadReleaseConfig(dir, 'release.config.mjs');
    expect(options.docker).toEqual({ image: 'acme/app' });
    expect(stackEntries(options, dir)).toEqual([{ entry: 'composite', config: {} }]);
  });

  it('says what is wrong when the file is missing, empty or does not parse', async () => {
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', '.releaserc.json'), '{ broken');
    await expect(loadReleaseConfig(path.join(dir, 'sub'), '.releaserc.json')).rejects.toMatchObject({
      code: 'ERESUMECONFIG',
    });
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'x' }));
    await expect(loadReleaseConfig(dir, 'package.json')).rejects.toMatchObject({ code: 'ERESUMECONFIG' });
    await expect(loadReleaseConfig(dir, 'missing.json')).rejects.toMatchObject({ code: 'ERESUMECONFIG' });
  });
});
