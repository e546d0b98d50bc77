import { writeFile } from 'node:fs/promises';
import { withArgvSamples } from '../../helpers/processes.js';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Artifact, Manifest } from '../../../src/core/manifest.js';
import type { StackError } from '../../../src/errors.js';
import * as execModule from '../../../src/exec.js';
import type { ReleaseContext } from '../../../src/kind.js';
import { resolvePythonConfig, type PythonConfig } from '../../../src/kinds/python/config.js';
import { pythonKind } from '../../../src/kinds/python/index.js';
import { publishDistributions } from '../../../src/kinds/python/publish.js';
import { fakeReleaseContext, recordingLogger, type RecordingLogger } from '../../helpers/contexts.js';
import { PypiStandin } from '../../helpers/pypi-standin.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requirePythonModule } from '../../helpers/tools.js';
import {
  VERSION_FILE,
  copyFixture,
  emptyManifest,
  writeVersion,
  type FixtureRepo,
} from './project-fixture.js';

vi.mock('../../../src/exec.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/exec.js')>();
  return { ...original, exec: vi.fn(original.exec) };
});
const execSpy = vi.mocked(execModule.exec);

const TOKEN = 'pypi-AgEIcHlwaS5vcmcCJGQ0ZjM5-standin-secret';
const WHEEL = 'demo_service-1.4.0-py3-none-any.whl';
const SDIST = 'demo-service-1.4.0.tar.gz';

let pypi: PypiStandin;
const repos: FixtureRepo[] = [];

beforeAll(async () => {
  await requirePythonModule('build', INSTALL_HINTS.build);
  await requirePythonModule('twine', INSTALL_HINTS.twine);
});
beforeEach(async () => {
  pypi = new PypiStandin({ password: TOKEN });
  await pypi.start();
  execSpy.mockClear();
});
afterEach(async () => {
  await pypi.stop();
  await Promise.all(repos.splice(0).map((r) => r.cleanup()));
});
afterAll(() => vi.restoreAllMocks());

interface Built {
  ctx: ReleaseContext;
  config: PythonConfig;
  manifest: Manifest;
  logger: RecordingLogger;
  wheel: Artifact;
  sdist: Artifact;
}

/** A real wheel of the pyproject fixture, prepared as the release would, ready to publish. */
async function built(options: { env?: Record<string, string>; marker?: string } = {}): Promise<Built> {
  const repo = await copyFixture('pyproject-project');
  repos.push(repo);
  await writeVersion(repo.root, 'pyproject-project', '1.4.0');
  // A different module body gives a wheel with the same name and other bytes.
  if (options.marker)
    await writeFile(path.join(repo.root, 'demo_service', '__init__.py'), `MARKER = "${options.marker}"\n`);
  const logger = recordingLogger();
  const env = options.env ?? { PYPI_TOKEN: TOKEN };
  const ctx = fakeReleaseContext({ root: repo.root, version: '1.4.0', gitHead: repo.gitHead, logger, env });
  const raw = {
    versionFiles: [VERSION_FILE['pyproject-project']],
    interpreter: SYSTEM_PYTHON,
    isolation: false,
    publish: { repositoryUrl: pypi.uploadUrl },
  };
  const config = resolvePythonConfig(raw, ctx).config as PythonConfig;
  const manifest = emptyManifest('1.4.0', repo.gitHead);
  const [wheel, sdist] = await pythonKind.prepare!(config, ctx, manifest);
  manifest.artifacts.push(wheel!, sdist!);
  return { ctx, config, manifest, logger, wheel: wheel!, sdist: sdist! };
}

const noWait = { sleep: async () => {}, random: () => 0.5 };
const uploads = () => pypi.requests.filter((r) => r.method === 'POST');
const twineCalls = () =>
  execSpy.mock.calls.filter(([, , args]) => args.includes('twine') && args.includes('upload'));
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as StackError,
  );

describe('python kind: uploading with the real twine to a PyPI stand-in', () => {
  it('uploads the wheel and the sdist in one twine run, with the credentials only in the environment', async () => {
    const { ctx, config, manifest, logger, wheel, sdist } = await built();
    execSpy.mockClear();

    const { result, argv } = await withArgvSamples(() => publishDistributions(config, ctx, manifest, noWait));

    const refs = [`${pypi.url}/simple/demo-service/`];
    expect(result).toEqual({
      outcomes: [
        { status: 'published', what: `${WHEEL} to ${pypi.uploadUrl}` },
        { status: 'published', what: `${SDIST} to ${pypi.uploadUrl}` },
      ],
      artifacts: [
        { kind: 'python', type: 'pypi', name: WHEEL, refs, sha256: wheel.sha256 },
        { kind: 'python', type: 'pypi', name: SDIST, refs, sha256: sdist.sha256 },
      ],
      // An index other than PyPI has no project page: its simple page is where the release shows.
      release: {
        name: `Python package demo-service 1.4.0 on ${new URL(pypi.url).host}`,
        url: `${pypi.url}/simple/demo-service/`,
      },
    });
    expect(pypi.files.map((f) => [f.filename, f.filetype, f.sha256])).toEqual([
      [WHEEL, 'bdist_wheel', wheel.sha256],
      [SDIST, 'sdist', sdist.sha256],
    ]);
    expect(uploads()).toHaveLength(2);

    const [[, file, args, options]] = twineCalls() as [Parameters<typeof execModule.exec>];
    expect(file).toBe(SYSTEM_PYTHON);
    expect(args).toEqual([
      '-m',
      'twine',
      'upload',
      '--non-interactive',
      '--disable-progress-bar',
      '--repository-url',
      pypi.uploadUrl,
      '--',
      path.join(ctx.root, 'release-artifacts', WHEEL),
      path.join(ctx.root, 'release-artifacts', SDIST),
    ]);
    expect(options?.env).toMatchObject({
      TWINE_USERNAME: '__token__',
      TWINE_PASSWORD: TOKEN,
      PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
    });
    // No child's argv ever held the token, in any form; the sampler did see twine running.
    const base64 = Buffer.from(`__token__:${TOKEN}`).toString('base64');
    for (const call of execSpy.mock.calls) expect(JSON.stringify([call[1], call[2]])).not.toContain(TOKEN);
    expect(argv.some((c) => c.includes('twine upload'))).toBe(true);
    expect(argv.filter((c) => c.includes(TOKEN) || c.includes(base64))).toEqual([]);
    expect(logger.text()).not.toContain(TOKEN);
    expect(logger.text()).toContain(`Uploaded ${WHEEL}`);
    expect(logger.text()).toContain(`Uploaded ${SDIST}`);
  });

  it('skips an identical re-upload without running twine', async () => {
    const { ctx, config, manifest, logger } = await built();
    await publishDistributions(config, ctx, manifest, noWait);
    execSpy.mockClear();

    const again = await pythonKind.publish!(config, ctx, manifest);

    expect(again.artifacts[0]?.type).toBe('pypi');
    const why = `is already on ${pypi.url}/pypi/demo-service/1.4.0/json with the same sha256`;
    expect(again.outcomes).toEqual([
      { status: 'already-there', what: WHEEL, why },
      { status: 'already-there', what: SDIST, why },
    ]);
    expect(twineCalls()).toEqual([]);
    expect(uploads()).toHaveLength(2);
    for (const name of [WHEEL, SDIST])
      expect(logger.text()).toContain(
        `${name} is already on ${pypi.url}/pypi/demo-service/1.4.0/json with the same sha256`,
      );
  });

  it('uploads only what the index lacks: the sdist after an interrupted upload of the wheel alone', async () => {
    const { ctx, config, manifest, logger } = await built();
    const wheelOnly = { ...manifest, artifacts: manifest.artifacts.filter((a) => a.type === 'wheel') };
    await publishDistributions({ ...config, sdist: false }, ctx, wheelOnly, noWait);
    expect(pypi.files.map((f) => f.filename)).toEqual([WHEEL]);
    execSpy.mockClear();

    await publishDistributions(config, ctx, manifest, noWait);

    expect(pypi.files.map((f) => f.filename)).toEqual([WHEEL, SDIST]);
    expect(
      twineCalls().map(([, , args]) => args.slice(args.indexOf('--') + 1).map((f) => path.basename(f))),
    ).toEqual([[SDIST]]);
    expect(logger.text()).toContain(`${WHEEL} is already on`);
  });

  it('refuses a re-upload with other content as a conflict (EPYPICONFLICT), before running twine', async () => {
    const first = await built({ marker: 'one' });
    await publishDistributions(first.config, first.ctx, first.manifest, noWait);
    const second = await built({ marker: 'two' });
    expect(second.wheel.sha256).not.toBe(first.wheel.sha256);
    execSpy.mockClear();

    const { outcomes, artifacts } = await publishDistributions(
      second.config,
      second.ctx,
      second.manifest,
      noWait,
    );
    expect(artifacts).toEqual([]);

    // Both files differ: each conflict is reported, and nothing is uploaded.
    expect(outcomes.map((o) => [o.status, o.what])).toEqual([
      ['conflict', second.wheel.name],
      ['conflict', second.sdist.name],
    ]);
    const conflicts = outcomes.map((o) => (o.status === 'conflict' ? o.error : undefined)) as StackError[];
    expect(conflicts.map((e) => e.code)).toEqual(['EPYPICONFLICT', 'EPYPICONFLICT']);
    expect(conflicts[0]?.details).toContain(first.wheel.sha256);
    expect(conflicts[0]?.details).toContain(second.wheel.sha256);
    expect(conflicts[1]?.details).toContain(second.sdist.sha256);
    expect(twineCalls()).toEqual([]);
    expect(pypi.files.map((f) => f.sha256)).toEqual([first.wheel.sha256, first.sdist.sha256]);
  });

  it('retries the index look-up through 503s, then uploads', async () => {
    const { ctx, config, manifest } = await built();
    pypi.failNext(2);
    const sleeps: number[] = [];
    await publishDistributions(config, ctx, manifest, {
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
    });
    // Full jitter with random 0.5: half of the 1 s and 2 s ceilings.
    expect(sleeps).toEqual([500, 1000]);
    expect(pypi.files).toHaveLength(2);
  });

  it('gives up after a capped number of look-ups (EPYPIINDEX) and uploads nothing', async () => {
    const { ctx, config, manifest } = await built();
    pypi.failNext(10);
    const error = await failure(publishDistributions(config, ctx, manifest, noWait));
    expect(error?.code).toBe('EPYPIINDEX');
    expect(error?.message).toContain('HTTP 503');
    expect(pypi.requests.filter((r) => r.method === 'GET')).toHaveLength(4);
    expect(uploads()).toEqual([]);
  });

  it('uses TWINE_USERNAME/TWINE_PASSWORD, and keeps a refused password out of the error', async () => {
    const good = await built({ env: { TWINE_USERNAME: '__token__', TWINE_PASSWORD: TOKEN } });
    await publishDistributions(good.config, good.ctx, good.manifest, noWait);
    expect(pypi.files).toHaveLength(2);

    await pypi.stop();
    pypi = new PypiStandin({ user: 'alice', password: 'the-right-password' });
    await pypi.start();
    const bad = await built({ env: { TWINE_USERNAME: 'alice', TWINE_PASSWORD: 'a-wrong-password' } });
    const error = await failure(publishDistributions(bad.config, bad.ctx, bad.manifest, noWait));
    expect(error?.code).toBe('EPYPIUPLOAD');
    expect(error?.details).toContain('403');
    expect(`${error?.message}${error?.details}${bad.logger.text()}`).not.toContain('a-wrong-password');
  });
});
