/**
 * RELIABILITY 10 — tag pushed, then publish fails. A full release through the real semantic-release
 * CLI loses its registry right after prepare (a test plugin listed first takes it down in publish), so
 * the tag is out, the wheel is on the index and the image is not. `semantic-release-stack publish
 * --tag v1.0.0` with the registry back reads what the run recorded in its claim, re-creates the
 * artifacts from the tag in a worktree and publishes only what is missing; a second run finds
 * everything there and skips it all. The remote is reachable only through the repository's own
 * `.git/config` (`url.<bare>.insteadOf https://git.example.invalid/…`), as semantic-release reached it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureDocker } from '../helpers/docker.js';
import {
  commitAndPush,
  createRepo,
  logOf,
  remoteOnlyThroughConfig,
  showFile,
  tagCommit,
  tagsOf,
  type TestRepo,
} from '../helpers/git.js';
import { PypiStandin } from '../helpers/pypi-standin.js';
import { getBlob, getManifest, listTags, startRegistry, type Registry } from '../helpers/registry.js';
import { runSemanticRelease, semanticReleaseEnv } from '../helpers/semantic-release.js';
import { INSTALL_HINTS, requirePythonModule } from '../helpers/tools.js';
import { manifestPuts } from '../kinds/docker/fixture.js';
import {
  FIXTURE_PLUGINS,
  VERSION_FILES,
  flakyProxy,
  runCli,
  serviceFiles,
  type FlakyProxy,
  serviceRelease,
  SERVICE,
  requireServiceBuild,
} from './support.js';

const USER = 'release-bot';
const PASSWORD = `resume-${Math.random().toString(36).slice(2)}-pw`;
const PYPI_TOKEN = `pypi-resume-${Math.random().toString(36).slice(2)}`;

let registry: Registry;
let proxy: FlakyProxy;
let pypi: PypiStandin;
let dockerHost: string;
let scratch: string;
let repo: TestRepo;
let repositoryUrl: string;

beforeAll(async () => {
  await requireServiceBuild();
  await requirePythonModule('twine', INSTALL_HINTS.twine);
  ({ host: dockerHost } = await ensureDocker());
  registry = await startRegistry({ auth: { user: USER, password: PASSWORD } });
  scratch = await mkdtemp(path.join(tmpdir(), 'srs-resume-test-'));
  proxy = await flakyProxy(Number(registry.host.split(':')[1]), path.join(scratch, 'registry-down'));
  pypi = new PypiStandin({ password: PYPI_TOKEN });
  await pypi.start();
  repo = await createRepo({ files: await serviceFiles() });
  repositoryUrl = await remoteOnlyThroughConfig(repo);
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  await pypi?.stop();
  await repo?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const IMAGE = 'acme/os-vim-driver';
const imageName = () => `${proxy.host}/${IMAGE}`;

function releaseConfig() {
  return serviceRelease(
    repositoryUrl,
    {
      python: { ...SERVICE.python, publish: { repositoryUrl: pypi.uploadUrl } },
      docs: SERVICE.docs,
      docker: { image: imageName() },
      helm: SERVICE.helm,
      devVersion: true,
    },
    {
      before: [path.join(FIXTURE_PLUGINS, 'registry-down.mjs')],
      after: [['@semantic-release/git', { assets: VERSION_FILES }]],
    },
  );
}

function env(): Record<string, string> {
  return semanticReleaseEnv(repo, {
    DOCKER_HOST: dockerHost,
    HOME: scratch,
    DOCKER_REGISTRY_USER: USER,
    DOCKER_REGISTRY_PASSWORD: PASSWORD,
    PYPI_TOKEN,
    REGISTRY_DOWN_FILE: proxy.downFile,
  });
}

const WHEEL = 'os_vim_driver-1.0.0-py3-none-any.whl';
const SDIST = 'os-vim-driver-1.0.0.tar.gz';

describe('semantic-release-stack publish --tag (resume after a failed publish)', () => {
  it('publishes what the failed release left out, then skips everything on a second run', async () => {
    await commitAndPush(repo, 'feat: the first feature', { 'osvimdriver/feature.py': 'X = 1\n' });
    const failed = await runSemanticRelease(repo, { config: releaseConfig(), env: env() });
    expect(failed.code, failed.output).not.toBe(0);
    expect(failed.output).toContain('The registry is down now.');
    // The registry is asked before any login, so its outage has the registry's code.
    expect(failed.output).toContain('EDOCKERREGISTRY');
    // The tag is out and the wheel and sdist are uploaded (python publishes first); the image is not.
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
    expect(pypi.filesOf('os-vim-driver', '1.0.0').map((f) => f.filename)).toEqual([WHEEL, SDIST]);
    expect(await listTags(registry, IMAGE, registry.auth)).toEqual([]);
    expect(proxy.refused()).toBeGreaterThan(0);
    // Before publishing, the run recorded what it decided in its claim on the tag.
    const claim = await repo.git([
      '--git-dir',
      repo.remote,
      'log',
      '-1',
      '--format=%B',
      'refs/semantic-release-stack/releases/v1.0.0',
    ]);
    const record = JSON.parse(claim.split('semantic-release-stack-record: ')[1]!) as Record<string, unknown>;
    expect(record).toMatchObject({
      tag: 'v1.0.0',
      version: '1.0.0',
      tagCommit: await repo.git(['rev-parse', 'v1.0.0']),
      builtFrom: await repo.git(['rev-parse', 'v1.0.0^']),
      branch: { name: 'main', type: 'release', main: true },
      releasedVersions: [],
      repositoryUrl,
    });
    expect(claim).not.toContain(PASSWORD);
    await rm(proxy.downFile);
    // With the registry back, a plain re-run of semantic-release sees the tag and has nothing to do: the gap this closes.
    const rerun = await runSemanticRelease(repo, { env: env() });
    expect(rerun.code, rerun.output).toBe(0);
    expect(rerun.output).toContain('no new version is released');
    expect(await listTags(registry, IMAGE, registry.auth)).toEqual([]);

    const built = await docker(['image', 'inspect', '--format', '{{.Id}}', `${imageName()}:1.0.0`]);
    const releasedFrom = await repo.git(['rev-parse', 'v1.0.0^']);
    const status = await repo.git(['status', '--porcelain', '--ignored']);
    const head = await repo.git(['rev-parse', 'HEAD']);

    const resumed = await runCli(['publish', '--tag', 'v1.0.0'], { cwd: repo.dir, env: env() });
    expect(resumed.code, resumed.output).toBe(0);
    // The branch and the commit the artifacts were built from (the release commit's parent) are the
    // ones the interrupted run recorded in its claim before publishing.
    expect(resumed.stderr).toContain(
      `Resuming v1.0.0 (1.0.0) as recorded by the interrupted run: tag at ${(await repo.git(['rev-parse', 'v1.0.0'])).slice(0, 12)}, artifacts built from ${releasedFrom.slice(0, 12)}, branch main (release), options from the release record`,
    );
    // The failed run claimed the tag before publishing (ECONCURRENT protection); this continues it.
    expect(resumed.stderr).toMatch(
      /Continuing the claim [0-9a-f]{40} the interrupted run pushed for v1\.0\.0/,
    );
    expect(resumed.stdout).toMatch(/skipped {4}os_vim_driver-1\.0\.0-py3-none-any\.whl is already on/);
    expect(resumed.stdout).toMatch(/skipped {4}os-vim-driver-1\.0\.0\.tar\.gz is already on/);
    expect(resumed.stdout).toContain(`published  ${imageName()}:1.0.0\n  published  ${imageName()}:latest\n`);
    expect(resumed.stdout).toContain(
      'not covered docs (nothing to publish, and no GitHub release configured)',
    );
    // The failed run never reached success: the resumed one sets the development version on main.
    const [devCommit] = await logOf(repo.remote, 'main');
    expect(devCommit?.subject).toBe('chore(release): 1.1.0.dev0 [skip ci]');
    expect(JSON.parse(await showFile(repo.remote, 'main', 'osvimdriver/pkg_info.json')).version).toBe(
      '1.1.0.dev0',
    );
    expect(resumed.stdout).toContain('published  the development version 1.1.0.dev0 on main');

    // The image in the registry is the one the failed release built: same config, same labels.
    expect((await listTags(registry, IMAGE, registry.auth)).sort()).toEqual(['1.0.0', 'latest']);
    const remote = await getManifest(registry, IMAGE, '1.0.0', { auth: registry.auth });
    const latest = await getManifest(registry, IMAGE, 'latest', { auth: registry.auth });
    expect(latest.digest).toBe(remote.digest);
    expect(resumed.stdout).toContain(
      `artifact   image ${imageName()}:1.0.0, ${imageName()}:latest ${remote.digest}`,
    );
    const configDigest = (remote.json as { config: { digest: string } }).config.digest;
    expect(configDigest).toBe(built.stdout.trim());
    const config = JSON.parse(
      (await getBlob(registry, IMAGE, configDigest, registry.auth)).toString('utf8'),
    ) as { config: { Labels: Record<string, string> } };
    expect(config.config.Labels['org.opencontainers.image.version']).toBe('1.0.0');
    expect(config.config.Labels['org.opencontainers.image.revision']).toBe(releasedFrom);
    // The wheel was rebuilt byte for byte, so it was recognised on the index, not uploaded twice.
    expect(pypi.filesOf('os-vim-driver', '1.0.0')).toHaveLength(2);

    // Nothing of the user's checkout changed: same HEAD, same status, no worktree registered.
    expect(await repo.git(['rev-parse', 'HEAD'])).toBe(head);
    expect(await repo.git(['status', '--porcelain', '--ignored'])).toBe(status);
    expect(existsSync(path.join(repo.dir, '.git/worktrees'))).toBe(false);

    const putsBefore = (await manifestPuts(registry)).length;
    const again = await runCli(['publish', '--tag', 'v1.0.0'], { cwd: repo.dir, env: env() });
    expect(again.code, again.output).toBe(0);
    expect(again.stdout).not.toContain('published ');
    expect(again.stdout).toContain(`is already in the registry with this image (${remote.digest})`);
    expect(again.stdout).toContain(`${imageName()}:latest already points at ${remote.digest}`);
    expect(again.stdout).toContain(`${WHEEL} is already on`);
    expect(again.stdout).toContain(`${SDIST} is already on`);
    expect(again.stdout).toContain('skipped    main already holds the development version 1.1.0.dev0');
    expect((await logOf(repo.remote, 'main'))[0]?.hash).toBe(devCommit?.hash);
    expect((await manifestPuts(registry)).length).toBe(putsBefore);
    expect(pypi.filesOf('os-vim-driver', '1.0.0')).toHaveLength(2);
    expect(await tagCommit(repo.remote, 'v1.0.0')).toBe(await repo.git(['rev-parse', 'v1.0.0']));

    // --dry-run checks and plans only.
    const dry = await runCli(['publish', '--tag', 'v1.0.0', '--dry-run'], { cwd: repo.dir, env: env() });
    expect(dry.code, dry.output).toBe(0);
    expect(dry.stderr).toContain('Release plan for v1.0.0 (1.0.0) — dry run, nothing will be written:');
    expect(dry.stdout).toContain('Dry run of v1.0.0 (1.0.0)');
    expect(dry.stderr).not.toContain('Building ');
    expect((await manifestPuts(registry)).length).toBe(putsBefore);

    // Never the secrets, in any output.
    for (const text of [failed.output, resumed.output, again.output, dry.output]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(PYPI_TOKEN);
    }
  }, 300_000);

  it('refuses a tag that is not there, or one without a record, with a coded error saying what to do', async () => {
    const missing = await runCli(['publish', '--tag', 'v9.9.9'], { cwd: repo.dir, env: env() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ERESUMETAG');
    expect(missing.stderr).toContain('git fetch --tags');
    // A tag no run of this package claimed (an older version's, or one that stopped before publish).
    await repo.git(['tag', 'v0.9.0', 'v1.0.0^']);
    await repo.git(['push', '--quiet', 'origin', 'v0.9.0']);
    const unrecorded = await runCli(['publish', '--tag', 'v0.9.0'], { cwd: repo.dir, env: env() });
    expect(unrecorded.code).toBe(1);
    expect(unrecorded.stderr).toContain('ERESUMENORECORD');
    expect(unrecorded.stderr).toContain('`origin` has no `refs/semantic-release-stack/releases/v0.9.0`');
    expect(unrecorded.stderr).toContain('git push origin :refs/tags/<tag>');
    expect(`${missing.stderr}${unrecorded.stderr}`).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(repo.dir, '.git/worktrees'))).toBe(false);
  });
});
