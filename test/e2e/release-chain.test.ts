/**
 * The whole stack through the REAL semantic-release CLI, on a copy of examples/python-service
 * configured by its own .releaserc.json (extending this checkout's built preset): one repository
 * and its bare remote, one registry and one GitHub stand-in, and the releases one after the
 * other as a project would see them — 1.0.0, 1.1.0, a maintenance release 1.0.1 on 1.0.x, a beta
 * 1.2.0-beta.1, the beta promoted to 1.2.0 on main, a fix 1.2.1 from the dev version — then a dry
 * run that must change nothing anywhere. After each release, GitHub's Latest release (the
 * stand-in's `releases/latest`) and the registry's `latest` tag name the same release: the highest
 * of the default channel.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureDocker } from '../helpers/docker.js';
import {
  commitAndPush,
  createRepo,
  logOf,
  showFile,
  tagCommit,
  tagsOf,
  type TestRepo,
} from '../helpers/git.js';
import { GitHubStandin, githubEnv, linkRepo } from '../helpers/github-standin.js';
import { getManifest, listTags, startRegistry, type Registry } from '../helpers/registry.js';
import { runSemanticRelease, type RunResult } from '../helpers/semantic-release.js';
import {
  DIST_PRESET,
  IMAGE_REPO,
  REGISTRY_AUTH,
  SLUG,
  exampleFiles,
  localConfig,
  requireBuild,
  snapshotDir,
  wheelVersion,
  type ReleaseConfig,
} from './example.js';
import { expectGitHubRelease, expectImage } from './support.js';

const PKG_INFO = 'osvimdriver/pkg_info.json';
const CHART = 'helm/os-vim-driver/Chart.yaml';
const VALUES = 'helm/os-vim-driver/values.yaml';

let repo: TestRepo;
let registry: Registry;
let standin: GitHubStandin;
let config: ReleaseConfig;
let env: Record<string, string>;
let home: string;

beforeAll(async () => {
  requireBuild();
  const { host } = await ensureDocker();
  registry = await startRegistry({ auth: REGISTRY_AUTH });
  standin = new GitHubStandin({ repos: [SLUG] });
  await standin.start();
  repo = await createRepo({ files: await exampleFiles(), slug: SLUG });
  config = await localConfig({ registry, repositoryUrl: linkRepo(repo, standin), extends: DIST_PRESET });
  // A HOME of its own: the dry run proves ~/.docker & co. are left alone.
  home = await mkdtemp(path.join(tmpdir(), 'srs-e2e-home-'));
  env = {
    ...githubEnv(standin),
    DOCKER_HOST: host,
    DOCKER_REGISTRY_USER: REGISTRY_AUTH.user,
    DOCKER_REGISTRY_PASSWORD: REGISTRY_AUTH.password,
    HOME: home,
  };
});

afterAll(async () => {
  await standin?.stop();
  await registry?.stop();
  await repo?.cleanup();
  if (home) await rm(home, { recursive: true, force: true });
});

async function release(options: { dryRun?: boolean } = {}): Promise<RunResult> {
  const result = await runSemanticRelease(repo, { config, env, ...options });
  expect(result.code, result.output).toBe(0);
  expect(result.output).not.toMatch(/EDOCKERAUTH|Secret-e2e-pa55/);
  return result;
}

async function filesAt(ref: string) {
  return {
    pkgInfo: await showFile(repo.remote, ref, PKG_INFO),
    chart: await showFile(repo.remote, ref, CHART),
    values: await showFile(repo.remote, ref, VALUES),
    changelog: await showFile(repo.remote, ref, 'CHANGELOG.md').catch(() => ''),
  };
}

/** The version fields as the example writes them (one-line JSON, quoted appVersion, comments kept). */
function expectVersions(
  files: Awaited<ReturnType<typeof filesAt>>,
  v: { pep440: string; chart: string; app: string },
) {
  expect(files.pkgInfo).toBe(`{"version": "${v.pep440}", "ignition-version": "==0.1.0"}`);
  expect(files.chart).toContain(
    `# The chart's own version (SemVer 2), written by the release.\nversion: ${v.chart}\n`,
  );
  expect(files.chart).toContain(`appVersion: '${v.app}'`);
  expect(files.values).toContain(
    `  # Image tag; the release sets it to the version it pushed.\n  version: ${v.app}\n`,
  );
}

const digestOf = async (tag: string) =>
  (await getManifest(registry, IMAGE_REPO, tag, { auth: registry.auth, method: 'HEAD' })).digest;

/** Image digests by version, as each release pushed them. */
const digests: Record<string, string> = {};

/** The one "latest" rule seen from outside: GitHub's Latest release and the registry's `latest`. */
async function expectLatest(version: string) {
  const response = await fetch(`${standin.apiUrl}/repos/${SLUG}/releases/latest`, {
    headers: { authorization: `token ${standin.token}`, accept: 'application/vnd.github+json' },
  });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { tag_name: string }).tag_name, 'GitHub Latest').toBe(`v${version}`);
  expect(await digestOf('latest'), 'registry latest').toBe(digests[version]);
}

const imageTags = async () => (await listTags(registry, IMAGE_REPO, registry.auth)).sort();

describe.sequential('releasing examples/python-service with the preset', { timeout: 300_000 }, () => {
  it('releases 1.0.0: versions at the tag, wheel, docs, image, chart, GitHub release, then 1.1.0.dev0', async () => {
    await commitAndPush(repo, 'feat: manage networks on OpenStack', { 'osvimdriver/networks.py': '' });
    const result = await release();
    expect(result.output).toContain('Release plan for v1.0.0 (1.0.0)');
    expect(result.output).toContain(`${PKG_INFO} version: 0.1.0.dev0 → 1.0.0`);

    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
    const atTag = await filesAt('v1.0.0');
    expectVersions(atTag, { pep440: '1.0.0', chart: '1.0.0', app: '1.0.0' });
    expect(atTag.changelog).toMatch(/# 1\.0\.0 [\s\S]*manage networks on OpenStack/);

    const [dev, releaseCommit] = await logOf(repo.remote, 'main');
    expect(dev!.subject).toBe('chore(release): 1.1.0.dev0 [skip ci]');
    expect(releaseCommit!.subject).toBe('chore(release): 1.0.0 [skip ci]');
    expect(releaseCommit!.hash).toBe(await tagCommit(repo.remote, 'v1.0.0'));
    expectVersions(await filesAt('main'), { pep440: '1.1.0.dev0', chart: '1.1.0-dev.0', app: '1.1.0.dev0' });

    const { manifest, wheel } = expectGitHubRelease(standin, 'v1.0.0', {
      semver: '1.0.0',
      pep440: '1.0.0',
      prerelease: false,
    });
    // The commit semantic-release released from: the composite prepares before @semantic-release/git
    // commits the version files, so the tag is on the next commit.
    expect(manifest.gitHead).toBe(await repo.git(['rev-parse', 'v1.0.0^']));
    expect(await wheelVersion(wheel)).toBe('1.0.0');
    digests['1.0.0'] = await expectImage(registry, manifest, {
      imageTag: '1.0.0',
      pep440: '1.0.0',
      semver: '1.0.0',
    });
    expect(await imageTags()).toEqual(['1.0.0', 'latest']);
    await expectLatest('1.0.0');
  });

  it('releases the feature 1.1.0 from the dev version and moves latest', async () => {
    await commitAndPush(repo, 'feat: attach floating IPs', { 'osvimdriver/ips.py': '' });
    const result = await release();
    expect(result.output).toContain(`${PKG_INFO} version: 1.1.0.dev0 → 1.1.0`);

    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0', 'v1.1.0']);
    expectVersions(await filesAt('v1.1.0'), { pep440: '1.1.0', chart: '1.1.0', app: '1.1.0' });
    expect((await logOf(repo.remote, 'main'))[0]!.subject).toBe('chore(release): 1.2.0.dev0 [skip ci]');
    expectVersions(await filesAt('main'), { pep440: '1.2.0.dev0', chart: '1.2.0-dev.0', app: '1.2.0.dev0' });

    const { manifest } = expectGitHubRelease(standin, 'v1.1.0', {
      semver: '1.1.0',
      pep440: '1.1.0',
      prerelease: false,
    });
    digests['1.1.0'] = await expectImage(registry, manifest, {
      imageTag: '1.1.0',
      pep440: '1.1.0',
      semver: '1.1.0',
    });
    expect(await imageTags()).toEqual(['1.0.0', '1.1.0', 'latest']);
    await expectLatest('1.1.0');
  });

  it('releases 1.0.1 on the maintenance branch 1.0.x, then 1.0.2.dev0; latest stays on 1.1.0', async () => {
    await repo.git(['checkout', '--quiet', '-b', '1.0.x', 'v1.0.0']);
    await repo.git(['push', '--quiet', '--set-upstream', 'origin', '1.0.x']);
    await commitAndPush(repo, 'fix: retry a timed-out server create', { 'osvimdriver/servers.py': '' });
    const result = await release();
    expect(result.output).toContain('Release plan for v1.0.1 (1.0.1)');
    expect(result.output).toContain('1.0.2.dev0');

    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0', 'v1.0.1', 'v1.1.0']);
    const atTag = await filesAt('v1.0.1');
    expectVersions(atTag, { pep440: '1.0.1', chart: '1.0.1', app: '1.0.1' });
    expect(atTag.changelog).toContain('retry a timed-out server create');
    const [dev, releaseCommit] = await logOf(repo.remote, '1.0.x');
    expect(dev!.subject).toBe('chore(release): 1.0.2.dev0 [skip ci]');
    expect(releaseCommit!.hash).toBe(await tagCommit(repo.remote, 'v1.0.1'));
    expectVersions(await filesAt('1.0.x'), { pep440: '1.0.2.dev0', chart: '1.0.2-dev.0', app: '1.0.2.dev0' });

    const { manifest } = expectGitHubRelease(standin, 'v1.0.1', {
      semver: '1.0.1',
      pep440: '1.0.1',
      prerelease: false,
    });
    digests['1.0.1'] = await expectImage(registry, manifest, {
      imageTag: '1.0.1',
      pep440: '1.0.1',
      semver: '1.0.1',
    });
    // A maintenance branch is a channel of its own: its tag, never latest.
    expect(await imageTags()).toEqual(['1.0.0', '1.0.1', '1.0.x', '1.1.0', 'latest']);
    // semantic-release first added 1.0.0 to the channel 1.0.x: @semantic-release/github updated its
    // release without make_latest, which made it Latest, and the preset's next step put Latest back.
    expect(result.output).toContain('Updated GitHub release');
    expect(result.output).toMatch(
      /Marked \S+\/releases\/tag\/v1\.1\.0 Latest on GitHub again \(it was v1\.0\.0\)/,
    );
    const published = standin.releases.find((r) => r.tag_name === 'v1.0.1')!;
    expect(published.make_latest).toBe('false');
    await expectLatest('1.1.0');
  });

  it('releases the beta 1.2.0-beta.1: PEP 440 b1, SemVer chart, latest not moved, no dev commit', async () => {
    await repo.git(['checkout', '--quiet', 'main']);
    const mainHead = (await logOf(repo.remote, 'main'))[0]!.hash;
    await repo.git(['checkout', '--quiet', '-b', 'beta']);
    await repo.git(['push', '--quiet', '--set-upstream', 'origin', 'beta']);
    await commitAndPush(repo, 'feat: attach volumes', { 'osvimdriver/volumes.py': '' });
    const result = await release();
    expect(result.output).toContain('Release plan for v1.2.0-beta.1 (1.2.0-beta.1)');

    expect(await tagsOf(repo.remote)).toContain('v1.2.0-beta.1');
    const atTag = await filesAt('v1.2.0-beta.1');
    expectVersions(atTag, { pep440: '1.2.0b1', chart: '1.2.0-beta.1', app: '1.2.0-beta.1' });
    expect(atTag.changelog).toMatch(/1\.2\.0-beta\.1[\s\S]*attach volumes/);
    const [head] = await logOf(repo.remote, 'beta');
    expect(head!.subject).toBe('chore(release): 1.2.0-beta.1 [skip ci]');
    expect(head!.hash).toBe(await tagCommit(repo.remote, 'v1.2.0-beta.1'));
    expect((await logOf(repo.remote, 'main'))[0]!.hash).toBe(mainHead);

    const { manifest, wheel } = expectGitHubRelease(standin, 'v1.2.0-beta.1', {
      semver: '1.2.0-beta.1',
      pep440: '1.2.0b1',
      prerelease: true,
    });
    expect(await wheelVersion(wheel)).toBe('1.2.0b1');
    await expectImage(registry, manifest, {
      imageTag: '1.2.0-beta.1',
      pep440: '1.2.0b1',
      semver: '1.2.0-beta.1',
    });
    // The channel gets its own tag; the floating tags of the default channel stay.
    expect(await imageTags()).toEqual(['1.0.0', '1.0.1', '1.0.x', '1.1.0', '1.2.0-beta.1', 'beta', 'latest']);
    await expectLatest('1.1.0');
  });

  it('promotes the beta: main, fast-forwarded to beta, releases 1.2.0 and moves latest', async () => {
    await repo.git(['checkout', '--quiet', 'main']);
    await repo.git(['merge', '--quiet', '--ff-only', 'beta']);
    await repo.git(['push', '--quiet', 'origin', 'main']);
    const result = await release();
    expect(result.output).toContain(`${PKG_INFO} version: 1.2.0b1 → 1.2.0`);

    expectVersions(await filesAt('v1.2.0'), { pep440: '1.2.0', chart: '1.2.0', app: '1.2.0' });
    expect((await logOf(repo.remote, 'main'))[0]!.subject).toBe('chore(release): 1.3.0.dev0 [skip ci]');
    expectVersions(await filesAt('main'), { pep440: '1.3.0.dev0', chart: '1.3.0-dev.0', app: '1.3.0.dev0' });
    const { manifest } = expectGitHubRelease(standin, 'v1.2.0', {
      semver: '1.2.0',
      pep440: '1.2.0',
      prerelease: false,
    });
    digests['1.2.0'] = await expectImage(registry, manifest, {
      imageTag: '1.2.0',
      pep440: '1.2.0',
      semver: '1.2.0',
    });
    await expectLatest('1.2.0');
  });

  it('releases the fix 1.2.1 from the dev version (which stays 1.3.0.dev0) and moves latest', async () => {
    await commitAndPush(repo, 'fix: keep the port of a deleted network', {
      'osvimdriver/networks.py': '# fixed\n',
    });
    const result = await release();
    expect(result.output).toContain(`${PKG_INFO} version: 1.3.0.dev0 → 1.2.1`);

    const atTag = await filesAt('v1.2.1');
    expectVersions(atTag, { pep440: '1.2.1', chart: '1.2.1', app: '1.2.1' });
    expect(atTag.changelog).toMatch(/1\.2\.1[\s\S]*keep the port of a deleted network[\s\S]*# \[1\.2\.0\]/);
    expect((await logOf(repo.remote, 'main'))[0]!.subject).toBe('chore(release): 1.3.0.dev0 [skip ci]');
    expectVersions(await filesAt('main'), { pep440: '1.3.0.dev0', chart: '1.3.0-dev.0', app: '1.3.0.dev0' });

    const { manifest } = expectGitHubRelease(standin, 'v1.2.1', {
      semver: '1.2.1',
      pep440: '1.2.1',
      prerelease: false,
    });
    digests['1.2.1'] = await expectImage(registry, manifest, {
      imageTag: '1.2.1',
      pep440: '1.2.1',
      semver: '1.2.1',
    });
    expect(await imageTags()).toEqual(
      ['1.0.0', '1.0.1', '1.0.x', '1.1.0', '1.2.0', '1.2.0-beta.1', '1.2.1', 'beta', 'latest'].sort(),
    );
    await expectLatest('1.2.1');
  });

  it('plans the next release in a dry run and changes nothing anywhere', async () => {
    await repo.git(['checkout', '--quiet', 'main']);
    await commitAndPush(repo, 'feat: list flavours', { 'osvimdriver/flavours.py': '' });
    const refs = (dir: string) =>
      repo.git(['--git-dir', dir, 'for-each-ref', '--format=%(refname) %(objectname)']);
    const localGit = path.join(repo.dir, '.git');
    const registryState = async () => {
      const tags = (await listTags(registry, IMAGE_REPO, registry.auth)).sort();
      return Promise.all(tags.map(async (tag) => `${tag} ${await digestOf(tag)}`));
    };
    // Only this file's images: other test files share the daemon.
    const images = async () =>
      (await docker(['image', 'ls', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout
        .split('\n')
        .filter((line) => line.startsWith(`${registry.host}/`))
        .sort();
    const state = async () => ({
      tree: await snapshotDir(repo.dir, ['.git']),
      status: await repo.git(['status', '--porcelain', '--ignored']),
      localRefs: await refs(localGit),
      remoteRefs: await refs(repo.remote),
      registry: await registryState(),
      images: await images(),
      releases: JSON.stringify(standin.releases),
      assets: standin.assets.length,
      home: await snapshotDir(home),
    });
    const before = await state();
    const requestsBefore = standin.requests.length;

    const result = await release({ dryRun: true });
    expect(result.output).toContain('Release plan for v1.3.0 (1.3.0) — dry run, nothing will be written:');
    expect(result.output).toContain(`${PKG_INFO} version: 1.3.0.dev0 → 1.3.0`);
    expect(result.output).toContain('then    set the next development version 1.4.0.dev0');

    expect(await state()).toEqual(before);
    await expectLatest('1.2.1');
    const writes = standin.writes().filter((r) => standin.requests.indexOf(r) >= requestsBefore);
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });
});
