import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPlugin } from '../../../src/core/plugin.js';
import { readManifest } from '../../../src/core/manifest.js';
import { pythonKind } from '../../../src/kinds/python/index.js';
import { recordingLogger, srContext } from '../../helpers/contexts.js';
import { PypiStandin } from '../../helpers/pypi-standin.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requirePythonModule } from '../../helpers/tools.js';
import { copyFixture, wheelMetadataVersion, type FixtureRepo } from './project-fixture.js';

const TOKEN = 'pypi-plugin-test-token-123';
const repos: FixtureRepo[] = [];
let pypi: PypiStandin | undefined;

beforeAll(async () => {
  await requirePythonModule('build', INSTALL_HINTS.build);
  await requirePythonModule('twine', INSTALL_HINTS.twine);
});
afterEach(async () => {
  await pypi?.stop();
  await Promise.all(repos.splice(0).map((r) => r.cleanup()));
});

describe('python kind as the standalone plugin, steps in semantic-release order', () => {
  it('plans in verifyRelease, writes the version and builds in prepare, uploads in publish', async () => {
    const repo = await copyFixture('setup-py-project');
    repos.push(repo);
    pypi = new PypiStandin({ password: TOKEN });
    await pypi.start();
    const plugin = createPlugin([pythonKind] as never, 'standalone');
    const options = {
      versionFiles: [{ path: 'osvimdriver/pkg_info.json', set: { 'ignition-version': '==0.2.0' } }],
      interpreter: SYSTEM_PYTHON,
      isolation: false,
      publish: { repositoryUrl: pypi.uploadUrl },
    };
    const logger = recordingLogger();
    const context = srContext({
      root: repo.root,
      logger,
      env: { PYPI_TOKEN: TOKEN },
      version: '2.0.0-beta.3',
      gitHead: repo.gitHead,
    });
    const wheel = 'os_vim_driver-2.0.0b3-py3-none-any.whl';
    const sdist = 'os-vim-driver-2.0.0b3.tar.gz';

    await plugin.verifyConditions(options, context);
    await plugin.verifyRelease(options, context);
    expect(logger.text()).toContain(`build   ${wheel} and os_vim_driver-2.0.0b3.tar.gz`);
    expect(logger.text()).toContain(
      `publish ${wheel}, os_vim_driver-2.0.0b3.tar.gz → ${pypi.uploadUrl}, upload with PYPI_TOKEN`,
    );

    await plugin.prepare(options, context);
    const info = JSON.parse(await readFile(path.join(repo.root, 'osvimdriver/pkg_info.json'), 'utf8'));
    expect(info).toEqual({ version: '2.0.0b3', 'ignition-version': '==0.2.0' });
    expect(await wheelMetadataVersion(path.join(repo.root, 'release-artifacts', wheel))).toBe('2.0.0b3');

    await plugin.publish(options, context);
    const manifest = await readManifest(path.join(repo.root, 'release-artifacts'));
    const records = manifest?.artifacts.filter((a) => a.kind === 'python');
    expect(records?.map((a) => [a.type, a.name])).toEqual([
      ['wheel', wheel],
      ['sdist', sdist],
      ['pypi', sdist],
      ['pypi', wheel],
    ]);
    expect(pypi.filesOf('os-vim-driver', '2.0.0b3').map((f) => f.sha256)).toEqual([
      records?.[0]?.sha256,
      records?.[1]?.sha256,
    ]);
    expect(logger.text()).not.toContain(TOKEN);
  });

  it('fails verifyConditions with every problem at once', async () => {
    const repo = await copyFixture('pyproject-project');
    repos.push(repo);
    const plugin = createPlugin([pythonKind] as never, 'standalone');
    const context = srContext({ root: repo.root });
    const error = await plugin
      .verifyConditions({ interpreter: '/nonexistent/python3', publish: true }, context)
      .then(
        () => undefined,
        (e: unknown) => e as AggregateError,
      );
    expect(error?.errors.map((e: { code: string }) => e.code)).toEqual([
      'EPYTHONMISSING',
      'EPYPICREDENTIALS',
    ]);
    // In GitHub Actions, no credentials means the job lacks `id-token: write`.
    const inActions = srContext({ root: repo.root, env: { GITHUB_ACTIONS: 'true' } });
    const actions = await plugin
      .verifyConditions({ interpreter: SYSTEM_PYTHON, isolation: false, publish: true }, inActions)
      .then(
        () => undefined,
        (e: unknown) => e as { code: string; details: string },
      );
    expect(actions?.code).toBe('EPYPIIDTOKENPERMISSION');
    expect(actions?.details).toContain('permissions:\n  contents: write\n  id-token: write');
  });
});
