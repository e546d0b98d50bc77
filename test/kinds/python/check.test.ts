import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StackError } from '../../../src/errors.js';
import { resolvePythonConfig, type PythonConfig } from '../../../src/kinds/python/config.js';
import { pythonKind } from '../../../src/kinds/python/index.js';
import { fakeReleaseContext, fakeStepContext } from '../../helpers/contexts.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requirePythonModule, requireTool } from '../../helpers/tools.js';
import { VERSION_FILE, copyFixture, type FixtureName, type FixtureRepo } from './project-fixture.js';

let venvRoot: string;
/** An interpreter with nothing but the standard library: no build, setuptools, wheel or twine. */
let barePython: string;

beforeAll(async () => {
  await requirePythonModule('build', INSTALL_HINTS.build);
  await requirePythonModule('twine', INSTALL_HINTS.twine);
  venvRoot = await mkdtemp(path.join(tmpdir(), 'srs-bare-venv-'));
  await execa(await requireTool(SYSTEM_PYTHON, INSTALL_HINTS.python), [
    '-m',
    'venv',
    '--without-pip',
    path.join(venvRoot, 'venv'),
  ]);
  barePython = path.join(venvRoot, 'venv', 'bin', 'python3');
});
afterAll(() => rm(venvRoot, { recursive: true, force: true }));

const repos: FixtureRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.cleanup()));
});

async function check(
  fixture: FixtureName,
  options: Record<string, unknown>,
  env: Record<string, string> = {},
) {
  const repo = await copyFixture(fixture);
  repos.push(repo);
  const ctx = fakeStepContext({ root: repo.root, env });
  const resolved = resolvePythonConfig(
    { versionFiles: [VERSION_FILE[fixture]], interpreter: SYSTEM_PYTHON, ...options },
    ctx,
  );
  expect(resolved.errors).toEqual([]);
  const before = await readdir(repo.root, { recursive: true });
  const errors = (await pythonKind.check!(resolved.config as PythonConfig, ctx)) as StackError[];
  // verifyConditions has no side effect: not even an egg-info from `setup.py --name`.
  expect(await readdir(repo.root, { recursive: true })).toEqual(before);
  return errors;
}

const codes = (errors: StackError[]) => errors.map((e) => e.code);

describe('python kind: verifyConditions with the real interpreters', () => {
  it('passes for both fixtures with /usr/bin/python3, each builder, and credentials when publishing', async () => {
    expect(
      await check('pyproject-project', { isolation: false, publish: true }, { PYPI_TOKEN: 'pypi-abcdef' }),
    ).toEqual([]);
    expect(
      await check(
        'setup-py-project',
        { publish: true },
        { TWINE_USERNAME: 'u', TWINE_PASSWORD: 'secret-pw' },
      ),
    ).toEqual([]);
    expect(await check('setup-py-project', { builder: 'setup.py' })).toEqual([]);
  });

  it('reports a missing interpreter as EPYTHONMISSING, once', async () => {
    const errors = await check(
      'setup-py-project',
      { interpreter: '/nonexistent/python3', publish: true },
      { PYPI_TOKEN: 'pypi-abcdef' },
    );
    expect(codes(errors)).toEqual(['EPYTHONMISSING']);
    expect(errors[0]?.details).toContain('apt-get install python3');
  });

  it('reports a program that is not Python as EPYTHONMISSING', async () => {
    const errors = await check('pyproject-project', {
      interpreter: await requireTool('false', 'apt-get install coreutils'),
    });
    expect(codes(errors)).toEqual(['EPYTHONMISSING']);
    expect(errors[0]?.message).toContain('does not run as Python');
  });

  it('reports each missing module with the commands that install it', async () => {
    const errors = await check(
      'pyproject-project',
      { interpreter: barePython, publish: true },
      { PYPI_TOKEN: 'pypi-abcdef' },
    );
    expect(codes(errors)).toEqual(['EPYTHONMODULE', 'EPYTHONMODULE']);
    expect(errors[0]?.message).toContain('`build`');
    expect(errors[0]?.details).toContain('`apt-get install python3-build`');
    expect(errors[0]?.details).toContain(`\`${barePython} -m pip install build\``);
    expect(errors[1]?.message).toContain('`twine`');
    expect(errors[1]?.details).toContain('`apt-get install twine`');
    expect(errors[1]?.details).toContain(`\`${barePython} -m pip install twine\``);
  });

  it('asks for setuptools and wheel for the legacy builder, and for the backend without isolation', async () => {
    const legacy = await check('setup-py-project', {
      interpreter: barePython,
      builder: 'setup.py',
      distName: 'os-vim-driver',
    });
    expect(legacy.map((e) => e.message)).toEqual([
      expect.stringContaining('`setuptools`'),
      expect.stringContaining('`wheel`'),
    ]);
    expect(legacy[0]?.details).toContain('apt-get install python3-setuptools');

    const offline = await check('pyproject-project', { interpreter: barePython, isolation: false });
    expect(offline.map((e) => e.message)).toEqual([
      expect.stringContaining('`build`'),
      expect.stringContaining('`setuptools`'),
    ]);
  });

  it('reports missing credentials as EPYPICREDENTIALS', async () => {
    const none = await check('pyproject-project', { publish: true });
    expect(codes(none)).toEqual(['EPYPICREDENTIALS']);
    expect(none[0]?.details).toContain('PYPI_TOKEN, TWINE_USERNAME, TWINE_PASSWORD');
    const half = await check('pyproject-project', { publish: true }, { TWINE_USERNAME: 'alice' });
    expect(codes(half)).toEqual(['EPYPICREDENTIALS']);
    expect(half[0]?.details).toContain('Missing: PYPI_TOKEN, TWINE_PASSWORD');
    expect(await check('pyproject-project', { publish: false })).toEqual([]);
  });

  it('collects every problem at once', async () => {
    const errors = await check(
      'setup-py-project',
      {
        interpreter: barePython,
        publish: { repositoryUrl: 'https://pypi.example.com/legacy/' },
        distDir: '../outside',
      },
      { SOURCE_DATE_EPOCH: 'yesterday' },
    );
    expect(codes(errors).sort()).toEqual(
      [
        'EDISTNAME',
        'EPATHOUTSIDEREPO',
        'EPYPICREDENTIALS',
        'EPYTHONMODULE',
        'EPYTHONMODULE',
        'ESOURCEDATEEPOCH',
      ].sort(),
    );
    // `setup.py --name` needs setuptools in the interpreter itself; the reason says so.
    expect(errors.find((e) => e.code === 'EDISTNAME')?.message).toContain("No module named 'setuptools'");
  });

  it('reports a project with no name as EDISTNAME', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'srs-python-noname-'));
    repos.push({ root, gitHead: '', cleanup: () => rm(root, { recursive: true, force: true }) });
    const ctx = fakeStepContext({ root });
    const resolved = resolvePythonConfig(
      { versionFiles: ['pkg/version.py'], interpreter: SYSTEM_PYTHON },
      ctx,
    );
    const errors = (await pythonKind.check!(resolved.config as PythonConfig, ctx)) as StackError[];
    expect(codes(errors)).toEqual(['EDISTNAME']);
  });

  it('refuses a local version when publishing (EPYPILOCALVERSION), and allows it otherwise', async () => {
    const repo = await copyFixture('pyproject-project');
    repos.push(repo);
    const ctx = fakeReleaseContext({ root: repo.root, version: '1.4.0+build.7' });
    const publishing = resolvePythonConfig({ publish: true }, ctx).config as PythonConfig;
    const local = resolvePythonConfig({}, ctx).config as PythonConfig;
    expect(codes((await pythonKind.checkRelease!(publishing, ctx)) as StackError[])).toEqual([
      'EPYPILOCALVERSION',
    ]);
    expect(await pythonKind.checkRelease!(local, ctx)).toEqual([]);
  });
});
