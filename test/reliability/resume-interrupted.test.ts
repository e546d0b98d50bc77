/**
 * RELIABILITY 10, 12 — a release interrupted after its tag, then finished by `semantic-release-stack
 * publish --tag` into the state a clean release leaves: the image with its floating tag, the GitHub
 * release with every asset and Latest as the "latest" rule says, the development version commit.
 * (b) GitHub's API answers 502 to the release's creation until @semantic-release/github gives up;
 * (c) semantic-release is SIGKILLed in the middle of publish (the images are pushed, the GitHub
 * release is not); (a) the registry refuses every push (403 DENIED, as a read-only registry or
 * credentials without push rights) from publish on, until it is fixed. The repository reaches its remote ONLY through its own `.git/config`
 * (`url.<bare>.insteadOf`): a resume that lost the repository's configuration could not even read
 * the release's record. Real semantic-release, git, dockerd and docker-registry; GitHub is the stand-in.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_ASSETS } from '../../src/preset.js';
import { ensureDocker } from '../helpers/docker.js';
import {
  commitAndPush,
  createRepo,
  logOf,
  remoteOnlyThroughConfig,
  showFile,
  tagsOf,
  type TestRepo,
} from '../helpers/git.js';
import { GitHubStandin, githubEnv, githubPlugin, type StartedStandin } from '../helpers/github-standin.js';
import { waitFor } from '../helpers/processes.js';
import { getManifest, listTags, startRegistry, type Registry } from '../helpers/registry.js';
import {
  SEMANTIC_RELEASE_BIN,
  SEMANTIC_RELEASE_NODE,
  runSemanticRelease,
  semanticReleaseEnv,
} from '../helpers/semantic-release.js';

import {
  FIXTURE_PLUGINS,
  VERSION_FILES,
  runCli,
  serviceFiles,
  serviceRelease,
  SERVICE,
  requireServiceBuild,
  flakyProxy,
  type FlakyProxy,
} from './support.js';

const USER = 'release-bot';
const PASSWORD = `interrupted-${Math.random().toString(36).slice(2)}-pw`;
const IMAGE = 'acme/demo-app';

let registry: Registry;
let proxy: FlakyProxy;
let github: GitHubStandin;
let started: StartedStandin;
let dockerHost: string;
let scratch: string;
let repo: TestRepo;
let repositoryUrl: string;

beforeAll(async () => {
  await requireServiceBuild();
  ({ host: dockerHost } = await ensureDocker());
  registry = await startRegistry({ auth: { user: USER, password: PASSWORD } });
  scratch = await mkdtemp(path.join(tmpdir(), 'srs-resume-interrupted-'));
  proxy = await flakyProxy(Number(registry.host.split(':')[1]), path.join(scratch, 'registry-down'));
  github = new GitHubStandin({ repos: ['acme/demo'] });
  started = await github.start();
  repo = await createRepo({ files: await serviceFiles(), slug: 'acme/demo' });
  // The GitHub-like URL @semantic-release/github needs, resolved to the bare remote by the
  // repository's config alone (the stand-in speaks no git: without that config, nothing is there).
  repositoryUrl = await remoteOnlyThroughConfig(repo, `${started.url}/acme/demo.git`);
});

afterAll(async () => {
  await started?.stop();
  await proxy?.stop();
  await registry?.stop();
  await repo?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const image = () => `${proxy.host}/${IMAGE}`;

function releaseConfig() {
  return serviceRelease(
    repositoryUrl,
    {
      python: SERVICE.python,
      docs: SERVICE.docs,
      docker: { image: image() },
      helm: SERVICE.helm,
      devVersion: true,
    },
    {
      before: [path.join(FIXTURE_PLUGINS, 'registry-down.mjs')],
      after: [
        ['@semantic-release/git', { assets: VERSION_FILES }],
        path.join(FIXTURE_PLUGINS, 'stall-publish.mjs'),
        githubPlugin(GITHUB_ASSETS),
      ],
    },
  );
}

const env = (extra: Record<string, string> = {}) =>
  semanticReleaseEnv(repo, {
    ...githubEnv(github),
    DOCKER_HOST: dockerHost,
    HOME: scratch,
    DOCKER_REGISTRY_USER: USER,
    DOCKER_REGISTRY_PASSWORD: PASSWORD,
    ...extra,
  });

const assetsFor = (v: string) =>
  [
    'SHA256SUMS',
    'manifest.json',
    `os-vim-driver-${v}-docs.tgz`,
    `os-vim-driver-${v}.tar.gz`,
    `os-vim-driver-${v}.tgz`,
    `os_vim_driver-${v}-py3-none-any.whl`,
  ].sort();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** What a clean release of `version` leaves, checked after `publish --tag`. */
async function expectReleased(version: string, dev: string, feature: string): Promise<void> {
  const tag = `v${version}`;
  const release = github.releases.find((r) => r.tag_name === tag);
  expect(release?.draft).toBe(false);
  // The notes semantic-release wrote for the release (recorded in the claim), as a clean run has them.
  expect(release?.body?.startsWith(`# ${version} (`) || release?.body?.startsWith(`# [${version}](`)).toBe(
    true,
  );
  expect(release?.body).toContain(feature);
  const assets = github.assetsOf(tag);
  expect(assets.map((a) => a.name).sort()).toEqual(assetsFor(version));
  const sums = assets.find((a) => a.name === 'SHA256SUMS')!.data.toString();
  for (const asset of assets.filter((a) => !['SHA256SUMS', 'manifest.json'].includes(a.name)))
    expect(sums).toContain(`${sha256(asset.data)}  ${asset.name}\n`);
  // The newest release of the default channel: GitHub's Latest, and the image's `latest`.
  expect(github.latestRelease('acme', 'demo')?.tag_name).toBe(tag);
  const pushed = await getManifest(registry, IMAGE, version, { auth: registry.auth });
  const latest = await getManifest(registry, IMAGE, 'latest', { auth: registry.auth });
  expect(latest.digest).toBe(pushed.digest);
  const manifest = JSON.parse(assets.find((a) => a.name === 'manifest.json')!.data.toString()) as {
    artifacts: Array<{ type: string; digest?: string }>;
  };
  expect(manifest.artifacts.find((a) => a.type === 'image')?.digest).toBe(pushed.digest);
  const [devCommit] = await logOf(repo.remote, 'main');
  expect(devCommit?.subject).toBe(`chore(release): ${dev} [skip ci]`);
  expect(JSON.parse(await showFile(repo.remote, 'main', 'osvimdriver/pkg_info.json')).version).toBe(dev);
  expect(existsSync(path.join(repo.dir, '.git/worktrees'))).toBe(false);
}

describe('publish --tag finishes an interrupted release through the repository’s own git configuration', () => {
  it('(b) GitHub answers 502 to the release: the image is out, the GitHub release and dev version are not', async () => {
    await commitAndPush(repo, 'feat: the first feature', { 'osvimdriver/feature.py': 'X = 1\n' });
    github.failNext(4, 502, (r) => r.method === 'POST' && /\/repos\/acme\/demo\/releases$/.test(r.path));
    const failed = await runSemanticRelease(repo, { config: releaseConfig(), env: env() });
    expect(failed.code, failed.output).not.toBe(0);
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
    expect((await listTags(registry, IMAGE, registry.auth)).sort()).toEqual(['1.0.0', 'latest']);
    expect(github.releases.find((r) => r.tag_name === 'v1.0.0')).toBeUndefined();
    expect((await logOf(repo.remote, 'main'))[0]?.subject).toBe('chore(release): 1.0.0 [skip ci]');

    const resumed = await runCli(['publish', '--tag', 'v1.0.0'], { cwd: repo.dir, env: env() });
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.stdout).toContain(`${image()}:1.0.0 is already in the registry with this image`);
    expect(resumed.stdout).toContain('published the GitHub release');
    expect(github.calls('PATCH', /\/releases\/\d+$/).at(-1)?.json).toEqual({
      draft: false,
      make_latest: 'true',
    });
    await expectReleased('1.0.0', '1.1.0.dev0', 'the first feature');
    for (const text of [failed.output, resumed.output]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(github.token);
    }
  }, 400_000);

  it('(c) semantic-release is SIGKILLed during publish', async () => {
    await repo.git(['pull', '--quiet', '--rebase', 'origin', 'main']);
    await commitAndPush(repo, 'feat: the second feature', { 'osvimdriver/second.py': 'Y = 2\n' });
    const stall = path.join(scratch, 'stalled');
    const child = spawn(SEMANTIC_RELEASE_NODE, [SEMANTIC_RELEASE_BIN], {
      cwd: repo.dir,
      env: env({ STALL_FILE: stall }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr])
      stream.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    try {
      const reached = await waitFor(() => existsSync(stall), 240_000);
      expect(reached, output).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    expect(Number(await readFile(stall, 'utf8'))).toBe(child.pid);
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0', 'v1.1.0']);
    expect(github.releases.find((r) => r.tag_name === 'v1.1.0')).toBeUndefined();
    expect((await logOf(repo.remote, 'main'))[0]?.subject).toBe('chore(release): 1.1.0 [skip ci]');

    const resumed = await runCli(['publish', '--tag', 'v1.1.0'], { cwd: repo.dir, env: env() });
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.stderr).toMatch(
      /Continuing the claim [0-9a-f]{40} the interrupted run pushed for v1\.1\.0/,
    );
    await expectReleased('1.1.0', '1.2.0.dev0', 'the second feature');
    expect((await listTags(registry, IMAGE, registry.auth)).sort()).toEqual(['1.0.0', '1.1.0', 'latest']);
    // The older release keeps its assets and stops being Latest.
    expect(
      github
        .assetsOf('v1.0.0')
        .map((a) => a.name)
        .sort(),
    ).toEqual(assetsFor('1.0.0'));
  });

  it('(a) the registry refuses pushes from publish on: nothing of the new version is out but its tag', async () => {
    await repo.git(['pull', '--quiet', '--rebase', 'origin', 'main']);
    await commitAndPush(repo, 'feat: the third feature', { 'osvimdriver/third.py': 'Z = 3\n' });
    const before = await getManifest(registry, IMAGE, 'latest', { auth: registry.auth });
    const failed = await runSemanticRelease(repo, {
      config: releaseConfig(),
      env: env({ REGISTRY_DOWN_FILE: proxy.readOnlyFile }),
    });
    expect(failed.code, failed.output).not.toBe(0);
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0']);
    expect((await listTags(registry, IMAGE, registry.auth)).sort()).toEqual(['1.0.0', '1.1.0', 'latest']);
    expect((await getManifest(registry, IMAGE, 'latest', { auth: registry.auth })).digest).toBe(
      before.digest,
    );
    expect(github.releases.find((r) => r.tag_name === 'v1.2.0')).toBeUndefined();
    await rm(proxy.readOnlyFile);

    const resumed = await runCli(['publish', '--tag', 'v1.2.0'], { cwd: repo.dir, env: env() });
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.stdout).toContain(`published  ${image()}:1.2.0\n  published  ${image()}:latest\n`);
    await expectReleased('1.2.0', '1.3.0.dev0', 'the third feature');
    for (const text of [failed.output, resumed.output]) expect(text).not.toContain(PASSWORD);
  }, 400_000);
});
