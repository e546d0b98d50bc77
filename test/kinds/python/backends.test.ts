/**
 * The version reaches the build whatever the backend: setuptools-scm (src/ layout, version from the
 * tag), hatchling with `__about__.py`, poetry-core. Each real-layout example is driven through the
 * standalone plugin's steps with the real /usr/bin/python3 and Debian's backends, with nothing but
 * the interpreter configured.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../../src/core/manifest.js';
import { createPlugin } from '../../../src/core/plugin.js';
import { pythonKind } from '../../../src/kinds/python/index.js';
import { recordingLogger, srContext } from '../../helpers/contexts.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requirePythonModule } from '../../helpers/tools.js';
import {
  copyFixture,
  sdistMetadataVersion,
  wheelMetadataVersion,
  type BackendFixture,
  type FixtureRepo,
} from './project-fixture.js';

const BACKENDS = {
  setuptools_scm: 'apt-get install python3-setuptools-scm',
  hatchling: 'apt-get install python3-hatchling',
  hatch_vcs: 'apt-get install python3-hatch-vcs',
  'poetry.core': 'apt-get install python3-poetry-core',
};

const repos: FixtureRepo[] = [];
beforeAll(async () => {
  await requirePythonModule('build', INSTALL_HINTS.build);
  for (const [module, hint] of Object.entries(BACKENDS)) await requirePythonModule(module, hint);
});
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.cleanup()));
});

async function release(fixture: BackendFixture, options: Record<string, unknown> = {}) {
  const repo = await copyFixture(fixture);
  repos.push(repo);
  const plugin = createPlugin([pythonKind] as never, 'standalone');
  const logger = recordingLogger();
  const context = srContext({ root: repo.root, logger, version: '2.0.0-beta.3', gitHead: repo.gitHead });
  const config = { interpreter: SYSTEM_PYTHON, isolation: false, ...options };
  await plugin.verifyConditions(config, context);
  await plugin.verifyRelease(config, context);
  const prepared = plugin.prepare(config, context).then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string; details: string },
  );
  return { repo, logger, error: await prepared };
}

describe('python kind: the release version reaches every build backend', () => {
  it.each([
    ['saltmarsh-scm', {}, 'saltmarsh_scm-2.0.0b3-py3-none-any.whl', 'saltmarsh-scm-2.0.0b3.tar.gz'],
    [
      'saltmarsh-hatch',
      { skipDependencyCheck: true },
      'saltmarsh_hatch-2.0.0b3-py3-none-any.whl',
      'saltmarsh_hatch-2.0.0b3.tar.gz',
    ],
    ['saltmarsh-poetry', {}, 'saltmarsh_poetry-2.0.0b3-py3-none-any.whl', 'saltmarsh_poetry-2.0.0b3.tar.gz'],
  ] as const)('%s with %j builds %s and %s', async (fixture, options, wheel, sdist) => {
    const { repo, logger, error } = await release(fixture, options);
    expect(error, logger.text()).toBeUndefined();
    const artifacts = path.join(repo.root, 'release-artifacts');
    expect(await wheelMetadataVersion(path.join(artifacts, wheel))).toBe('2.0.0b3');
    expect(await sdistMetadataVersion(path.join(artifacts, sdist))).toBe('2.0.0b3');
    const manifest = await readManifest(artifacts);
    expect(manifest?.artifacts.map((a) => [a.type, a.name])).toEqual([
      ['wheel', wheel],
      ['sdist', sdist],
    ]);
    expect(logger.text()).toContain("each file's metadata says Version 2.0.0b3");
  });

  it('setuptools-scm: the version goes in through the pretend variables, and no file is written', async () => {
    const { repo, logger, error } = await release('saltmarsh-scm');
    expect(error).toBeUndefined();
    expect(logger.text()).toContain(
      'version 2.0.0b3 given to setuptools-scm through SETUPTOOLS_SCM_PRETEND_VERSION_FOR_SALTMARSH_SCM, SETUPTOOLS_SCM_PRETEND_VERSION',
    );
    expect(logger.text()).toContain(
      'python: no development version to write (setuptools-scm takes the version from git tags)',
    );
    expect(logger.text()).not.toMatch(/edit {4}/);
    const manifest = await readManifest(path.join(repo.root, 'release-artifacts'));
    expect(manifest?.fields).toEqual([]);
    // What setuptools-scm writes at build time is the release version (gitignored, never committed).
    expect(await readFile(path.join(repo.root, 'src/saltmarsh_scm/_version.py'), 'utf8')).toContain(
      "'2.0.0b3'",
    );
  });

  it('hatchling: __about__.py is the version file, found without configuration', async () => {
    const { repo, logger, error } = await release('saltmarsh-hatch', { skipDependencyCheck: true });
    expect(error).toBeUndefined();
    expect(logger.text()).toContain('edit    src/saltmarsh_hatch/__about__.py __version__: 0.0.1 → 2.0.0b3');
    expect(await readFile(path.join(repo.root, 'src/saltmarsh_hatch/__about__.py'), 'utf8')).toContain(
      '# SPDX-License-Identifier: MIT\n__version__ = "2.0.0b3"\n',
    );
    const manifest = await readManifest(path.join(repo.root, 'release-artifacts'));
    expect(manifest?.fields.map((f) => f.path)).toEqual(['src/saltmarsh_hatch/__about__.py']);
  });

  it('hatchling offline on Debian 12: EPYTHONBUILDDEPS names editables and the option, and the file is restored', async () => {
    const { repo, error } = await release('saltmarsh-hatch');
    expect(error?.code).toBe('EPYTHONBUILDDEPS');
    expect(error?.message).toContain('editables');
    expect(error?.details).toContain('"skipDependencyCheck": true');
    expect(await readFile(path.join(repo.root, 'src/saltmarsh_hatch/__about__.py'), 'utf8')).toContain(
      '__version__ = "0.0.1"',
    );
    expect(existsSync(path.join(repo.root, 'release-artifacts', 'saltmarsh_hatch-2.0.0b3.tar.gz'))).toBe(
      false,
    );
  });

  it('poetry-core: [tool.poetry] version is the version file', async () => {
    const { repo, logger, error } = await release('saltmarsh-poetry');
    expect(error).toBeUndefined();
    expect(logger.text()).toContain('edit    pyproject.toml tool.poetry.version: 0.1.0 → 2.0.0b3');
    expect(await readFile(path.join(repo.root, 'pyproject.toml'), 'utf8')).toContain('version = "2.0.0b3"');
  });
});
