/**
 * Checked before the tag, with the real twine of /usr/bin/python3 (Debian 12: twine 4.0.2): `twine
 * check --strict` on every distribution that goes to an index, and the Version each file's own
 * metadata names.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StackError } from '../../../src/errors.js';
import { resolvePythonConfig, type PythonConfig } from '../../../src/kinds/python/config.js';
import { checkDistributions } from '../../../src/kinds/python/dist-check.js';
import { pythonKind } from '../../../src/kinds/python/index.js';
import { fakeReleaseContext, recordingLogger } from '../../helpers/contexts.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requirePythonModule } from '../../helpers/tools.js';
import { copyFixture, emptyManifest, writeVersion, type FixtureRepo } from './project-fixture.js';

const dirs: string[] = [];
const repos: FixtureRepo[] = [];
let twineVersion = '';

beforeAll(async () => {
  await requirePythonModule('build', INSTALL_HINTS.build);
  await requirePythonModule('twine', INSTALL_HINTS.twine);
  twineVersion = (await execa(SYSTEM_PYTHON, ['-c', 'import twine; print(twine.__version__)'])).stdout.trim();
});
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.cleanup()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** The pyproject fixture at 1.4.0 with a README whose reStructuredText does not render. */
async function brokenReadme(publish: boolean) {
  const repo = await copyFixture('pyproject-project');
  repos.push(repo);
  await writeVersion(repo.root, 'pyproject-project', '1.4.0');
  const pyproject = path.join(repo.root, 'pyproject.toml');
  await writeFile(pyproject, (await readFile(pyproject, 'utf8')).replace('README.md', 'README.rst'));
  await writeFile(path.join(repo.root, 'README.rst'), 'demo-service\n=====\n\nA fixture.\n');
  const logger = recordingLogger();
  const ctx = fakeReleaseContext({ root: repo.root, version: '1.4.0', gitHead: repo.gitHead, logger });
  const raw = {
    versionFiles: ['pyproject.toml'],
    interpreter: SYSTEM_PYTHON,
    isolation: false,
    ...(publish ? { publish: { repositoryUrl: 'http://127.0.0.1:9/legacy/' } } : {}),
  };
  const config = resolvePythonConfig(raw, ctx).config as PythonConfig;
  const outcome = await pythonKind.prepare!(config, ctx, emptyManifest('1.4.0', repo.gitHead)).then(
    (artifacts) => ({ artifacts, errors: [] as StackError[] }),
    (e: unknown) => ({
      artifacts: [],
      errors: (e instanceof AggregateError ? e.errors : [e]) as StackError[],
    }),
  );
  return { ...outcome, logger, repo };
}

/** A copy of `wheel` whose METADATA lines are rewritten by `edit`. */
async function rewriteMetadata(wheel: string, into: string, edit: [string, string]): Promise<string> {
  const script = [
    'import sys, zipfile',
    'source, target, old, new = sys.argv[1:]',
    'with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:',
    '    for info in zin.infolist():',
    '        data = zin.read(info)',
    '        if info.filename.endswith(".dist-info/METADATA"):',
    '            data = data.replace(old.encode(), new.encode())',
    '        zout.writestr(info, data)',
  ].join('\n');
  const target = path.join(into, path.basename(wheel));
  await execa(SYSTEM_PYTHON, ['-c', script, wheel, target, ...edit]);
  return target;
}

describe('python kind: distributions are checked before the tag', () => {
  it('stops a release bound for an index on markup twine check --strict refuses, naming file and reason', async () => {
    const { errors, repo } = await brokenReadme(true);
    expect(errors.map((e) => e.code)).toEqual(['EPYTHONDISTCHECK', 'EPYTHONDISTCHECK']);
    expect(errors[0]?.message).toBe(
      '`twine check --strict` refused `demo_service-1.4.0-py3-none-any.whl`: ERROR `long_description` has syntax errors in markup and would not be rendered on PyPI. line 2: Warning: Title underline too short. demo-service =====.',
    );
    expect(errors[1]?.message).toMatch(/^`twine check --strict` refused `demo-service-1\.4\.0\.tar\.gz`: /);
    expect(errors[0]?.details).toContain('readme = "README.md"');
    expect(errors[0]?.details).not.toContain('install `twine');
    // Nothing of the failed build is left to publish.
    expect(await readdir(path.join(repo.root, 'release-artifacts'))).toEqual([]);
  });

  it('does not run twine when nothing is uploaded: the GitHub release and the image take the files as they are', async () => {
    const { errors, artifacts, logger } = await brokenReadme(false);
    expect(errors).toEqual([]);
    expect(artifacts.map((a) => a.type)).toEqual(['wheel', 'sdist']);
    expect(logger.text()).not.toContain('twine check');
  });

  it('names the twine to install for a Metadata-Version the installed twine cannot read', async () => {
    const { artifacts, repo } = await brokenReadme(false);
    const dir = await mkdtemp(path.join(tmpdir(), 'srs-metadata-'));
    dirs.push(dir);
    const wheel = await rewriteMetadata(path.join(repo.root, artifacts[0]!.path!), dir, [
      'Metadata-Version: 2.1',
      'Metadata-Version: 2.4',
    ]);
    const logger = recordingLogger();
    const ctx = fakeReleaseContext({ root: repo.root, version: '1.4.0', logger });
    const errors = (await checkDistributions(
      { interpreter: SYSTEM_PYTHON, publish: { uploadUrl: 'http://127.0.0.1:9/legacy/', pypi: false } },
      ctx,
      [wheel],
      '1.4.0',
    )) as StackError[];
    expect(errors.map((e) => e.code)).toEqual(['EPYTHONDISTCHECK']);
    expect(errors[0]?.message).toContain('Metadata is missing required fields: Name, Version');
    expect(errors[0]?.details).toContain(
      `The distribution has Metadata-Version 2.4, which twine reads from 6.1.0 on; the interpreter has twine ${twineVersion}: install \`twine>=6.1.0\``,
    );
  });

  it('refuses a file whose own metadata names another version than the release', async () => {
    const { artifacts, repo } = await brokenReadme(false);
    const dir = await mkdtemp(path.join(tmpdir(), 'srs-metadata-'));
    dirs.push(dir);
    const wheel = await rewriteMetadata(path.join(repo.root, artifacts[0]!.path!), dir, [
      'Version: 1.4.0',
      'Version: 1.3.9',
    ]);
    const ctx = fakeReleaseContext({ root: repo.root, version: '1.4.0' });
    const errors = (await checkDistributions(
      { interpreter: SYSTEM_PYTHON, publish: undefined },
      ctx,
      [wheel],
      '1.4.0',
    )) as StackError[];
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      [
        'EPYTHONDISTVERSION',
        "`demo_service-1.4.0-py3-none-any.whl` was built as version 1.3.9, not as the release's 1.4.0.",
      ],
    ]);
  });
});
