import { existsSync } from 'node:fs';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../../src/core/manifest.js';
import type { ReleaseContext } from '../../../src/kind.js';
import { resolvePythonConfig, type PythonConfig } from '../../../src/kinds/python/config.js';
import { pythonKind } from '../../../src/kinds/python/index.js';
import { fakeReleaseContext, recordingLogger } from '../../helpers/contexts.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requirePythonModule } from '../../helpers/tools.js';
import {
  COMMIT_EPOCH,
  VERSION_FILE,
  copyFixture,
  emptyManifest,
  wheelListing,
  sdistMetadataVersion,
  wheelMetadataVersion,
  writeVersion,
  type FixtureName,
  type FixtureRepo,
} from './project-fixture.js';

const repos: FixtureRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.cleanup()));
});

beforeAll(async () => {
  await requirePythonModule('build', INSTALL_HINTS.build);
  await requirePythonModule('setuptools', INSTALL_HINTS.build);
  await requirePythonModule('wheel', INSTALL_HINTS.build);
});

async function setup(
  fixture: FixtureName,
  version: string,
  pep440: string,
  options: Record<string, unknown> = {},
  env = {},
) {
  const repo = await copyFixture(fixture);
  repos.push(repo);
  await writeVersion(repo.root, fixture, pep440);
  const logger = recordingLogger();
  const ctx = fakeReleaseContext({ root: repo.root, version, gitHead: repo.gitHead, logger, env });
  const raw = {
    versionFiles: [VERSION_FILE[fixture]],
    interpreter: SYSTEM_PYTHON,
    isolation: false,
    ...options,
  };
  const resolved = resolvePythonConfig(raw, ctx);
  expect(resolved.errors).toEqual([]);
  return { repo, ctx, logger, config: resolved.config as PythonConfig };
}

const prepare = (config: PythonConfig, ctx: ReleaseContext) =>
  pythonKind.prepare!(config, ctx, emptyManifest(ctx.release.version, ctx.release.gitHead));

describe('python kind: building the wheel with the real /usr/bin/python3', () => {
  it.each([
    [
      'setup-py-project',
      'build',
      '1.4.0',
      '1.4.0',
      'os_vim_driver-1.4.0-py3-none-any.whl',
      'os-vim-driver-1.4.0.tar.gz',
    ],
    [
      'setup-py-project',
      'build',
      '2.0.0-beta.3',
      '2.0.0b3',
      'os_vim_driver-2.0.0b3-py3-none-any.whl',
      'os-vim-driver-2.0.0b3.tar.gz',
    ],
    [
      'pyproject-project',
      'build',
      '1.4.0',
      '1.4.0',
      'demo_service-1.4.0-py3-none-any.whl',
      'demo-service-1.4.0.tar.gz',
    ],
    [
      'pyproject-project',
      'build',
      '2.0.0-beta.3',
      '2.0.0b3',
      'demo_service-2.0.0b3-py3-none-any.whl',
      'demo-service-2.0.0b3.tar.gz',
    ],
    [
      'setup-py-project',
      'setup.py',
      '1.4.0',
      '1.4.0',
      'os_vim_driver-1.4.0-py3-none-any.whl',
      'os-vim-driver-1.4.0.tar.gz',
    ],
    [
      'setup-py-project',
      'setup.py',
      '2.0.0-beta.3',
      '2.0.0b3',
      'os_vim_driver-2.0.0b3-py3-none-any.whl',
      'os-vim-driver-2.0.0b3.tar.gz',
    ],
  ] as const)(
    '%s with builder %s at %s (%s) builds %s and %s',
    async (fixture, builder, version, pep440, wheel, sdist) => {
      const { repo, ctx, config } = await setup(fixture, version, pep440, { builder });
      expect(ctx.release.versions.pep440).toEqual({ ok: true, value: pep440 });

      const artifacts = await prepare(config, ctx);

      const expected = await Promise.all(
        (
          [
            ['wheel', wheel],
            ['sdist', sdist],
          ] as const
        ).map(async ([type, name]) => {
          const file = path.join(repo.root, 'release-artifacts', name);
          const { sha256, size } = await sha256File(file);
          expect((await sha256File(path.join(repo.root, 'dist', name))).sha256).toBe(sha256);
          return { kind: 'python', type, name, path: `release-artifacts/${name}`, sha256, size };
        }),
      );
      expect(artifacts).toEqual(expected);
      expect(await wheelMetadataVersion(path.join(repo.root, 'release-artifacts', wheel))).toBe(pep440);
      expect(await sdistMetadataVersion(path.join(repo.root, 'release-artifacts', sdist))).toBe(pep440);
      // The temporary build directory is gone; only the distributions are left among the release artifacts.
      expect(await readdir(path.join(repo.root, 'release-artifacts'))).toEqual([sdist, wheel].sort());
    },
  );

  it('builds only the wheel with sdist: false', async () => {
    const { repo, ctx, config } = await setup('pyproject-project', '1.4.0', '1.4.0', { sdist: false });
    const artifacts = await prepare(config, ctx);
    expect(artifacts.map((a) => [a.type, a.name])).toEqual([
      ['wheel', 'demo_service-1.4.0-py3-none-any.whl'],
    ]);
    expect(await readdir(path.join(repo.root, 'release-artifacts'))).toEqual([
      'demo_service-1.4.0-py3-none-any.whl',
    ]);
  });

  it('never takes a stale wheel from dist/: an older version is ignored and a same-named file is replaced', async () => {
    const { repo, ctx, config } = await setup('setup-py-project', '1.4.0', '1.4.0');
    await mkdir(path.join(repo.root, 'dist'));
    const stale = path.join(repo.root, 'dist', 'os_vim_driver-1.3.0-py3-none-any.whl');
    const sameName = path.join(repo.root, 'dist', 'os_vim_driver-1.4.0-py3-none-any.whl');
    await writeFile(stale, 'an old wheel');
    await writeFile(sameName, 'a wheel from a broken earlier build');

    const [artifact] = await prepare(config, ctx);

    expect(artifact?.name).toBe('os_vim_driver-1.4.0-py3-none-any.whl');
    expect((await sha256File(sameName)).sha256).toBe(artifact?.sha256);
    expect(await wheelMetadataVersion(sameName)).toBe('1.4.0');
    expect(await readdir(path.join(repo.root, 'release-artifacts'))).toEqual([
      'os-vim-driver-1.4.0.tar.gz',
      'os_vim_driver-1.4.0-py3-none-any.whl',
    ]);
    expect(existsSync(stale)).toBe(true); // left alone, not ours to delete
  });

  it('fails with EPYTHONDISTVERSION when the build reads its version from where the release did not write', async () => {
    // The build still makes the fixture's 0.1.0.dev0 distributions: the expected 1.4.0 ones are missing.
    const { ctx, config } = await setup('pyproject-project', '1.4.0', '0.1.0.dev0');
    const error = await prepare(config, ctx).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(error?.code).toBe('EPYTHONDISTVERSION');
    expect(error?.message).toMatch(
      /^`demo.service-0\.1\.0\.dev0.*` was built as version 0\.1\.0\.dev0, not as the release's 1\.4\.0\.$/,
    );
  });

  it('fails with EWHEELNOTFOUND and ESDISTNOTFOUND, listing what was built, for another project name', async () => {
    const { ctx, config } = await setup('pyproject-project', '1.4.0', '1.4.0', { distName: 'other-name' });
    const error = await prepare(config, ctx).then(
      () => undefined,
      (e: unknown) => e as AggregateError,
    );
    const codes = (error?.errors ?? []).map((e: { code: string; details: string }) => [e.code, e.details]);
    expect(codes).toEqual([
      ['EWHEELNOTFOUND', expect.stringContaining('demo_service-1.4.0-py3-none-any.whl')],
      ['ESDISTNOTFOUND', expect.stringContaining('demo-service-1.4.0.tar.gz')],
    ]);
  });

  it('stamps zip entries with the release commit time, or SOURCE_DATE_EPOCH from the env', async () => {
    const fromCommit = await setup('pyproject-project', '1.4.0', '1.4.0');
    const [a] = await prepare(fromCommit.config, fromCommit.ctx);
    const commitTime = new Date(COMMIT_EPOCH * 1000).toISOString().replace('T', ' ').slice(0, 19);
    expect(await wheelListing(path.join(fromCommit.repo.root, a!.path!))).toContain(commitTime);

    const fromEnv = await setup(
      'pyproject-project',
      '1.4.0',
      '1.4.0',
      {},
      { SOURCE_DATE_EPOCH: '1600000000' },
    );
    const [b] = await prepare(fromEnv.config, fromEnv.ctx);
    const listing = await wheelListing(path.join(fromEnv.repo.root, b!.path!));
    expect(listing).toContain('2020-09-13 12:26:40');
    expect(listing).not.toContain(commitTime);
  });

  it("builds the same wheel and sdist twice from the same commit, whatever the files' times", async () => {
    const first = await setup('setup-py-project', '1.4.0', '1.4.0');
    const second = await setup('setup-py-project', '1.4.0', '1.4.0');
    // A checkout made at another time (a resumed release): setuptools would copy these times.
    for (const file of ['setup.py', 'osvimdriver/__init__.py', 'osvimdriver/pkg_info.json'])
      await utimes(path.join(second.repo.root, file), 1_600_000_000, 1_600_000_000);
    const a = await prepare(first.config, first.ctx);
    const b = await prepare(second.config, second.ctx);
    expect(b.map((x) => [x.name, x.sha256])).toEqual(a.map((x) => [x.name, x.sha256]));
    const sdist = path.join(first.repo.root, a[1]!.path!);
    const { stdout } = await execa('tar', ['--utc', '-tvzf', sdist]);
    const lines = stdout.split('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines)
      expect(line).toMatch(/^[-d]rw[-x]r-[-x]r-[-x] 0\/0 +\d+ 2023-11-14 22:13 os-vim-driver-1\.4\.0\//);
  });

  it('builds nothing with build: false', async () => {
    const { ctx, config } = await setup('pyproject-project', '1.4.0', '1.4.0', { build: false });
    expect(await prepare(config, ctx)).toEqual([]);
    expect(existsSync(path.join(ctx.root, 'release-artifacts'))).toBe(false);
  });

  it('plans the wheel and its upload target, reading the name from setup.py', async () => {
    const { ctx, config } = await setup('setup-py-project', '2.0.0-beta.3', '2.0.0b3', {
      publish: { repositoryUrl: 'https://pypi.example.com/legacy/' },
    });
    const lines = await pythonKind.plan!(config, ctx);
    expect(lines).toEqual([
      {
        action: 'build',
        text: 'os_vim_driver-2.0.0b3-py3-none-any.whl and os_vim_driver-2.0.0b3.tar.gz (python -m build --sdist --wheel --no-isolation) → release-artifacts/os_vim_driver-2.0.0b3-py3-none-any.whl, release-artifacts/os_vim_driver-2.0.0b3.tar.gz, dist/',
      },
      {
        action: 'build',
        text: "check with twine check --strict and that each file's metadata says Version 2.0.0b3",
      },
      {
        action: 'publish',
        text: 'os_vim_driver-2.0.0b3-py3-none-any.whl, os_vim_driver-2.0.0b3.tar.gz → https://pypi.example.com/legacy/, upload without credentials (files the index has identically are skipped)',
      },
    ]);
    expect(existsSync(path.join(ctx.root, 'release-artifacts'))).toBe(false);
  });
});
