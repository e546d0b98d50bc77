/**
 * semantic-release's addChannel through the REAL CLI: `main` and `next` (channel `next`). A release
 * on `next` gets its version tag and the `next` tag; merging `next` into `main` adds that release to
 * the default channel, and the image's floating tags (`latest`, `{major}`, `{major}.{minor}`) move to
 * the digest already released. Nothing is built (the daemon holds no image of the repository
 * afterwards) and no layer is pushed (the registry's blobs are the same); the chart index entry
 * stays as it was.
 */
import { existsSync } from 'node:fs';
import { readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureDocker } from '../helpers/docker.js';
import { commitAndPush, createRepo, logOf, showFile, type TestRepo } from '../helpers/git.js';
import { getManifest, startRegistry, type Registry } from '../helpers/registry.js';
import { PROJECT_ROOT, runSemanticRelease, type RunResult } from '../helpers/semantic-release.js';

const PLUGIN = path.join(PROJECT_ROOT, 'dist/index.js');
const AUTH = { user: 'channel-bot', password: 'Add-channel-pw-42' };
const INDEX_URL = 'https://charts.example.invalid/{gitTag}/{file}';

const FILES = {
  '.gitignore': 'release-artifacts/\n',
  'docker/Dockerfile': 'FROM scratch\nCOPY hello.txt /hello.txt\n',
  'docker/hello.txt': 'hello\n',
  'helm/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\nappVersion: 0.1.0\n',
  'helm/app/values.yaml': 'image:\n  tag: 0.1.0\n',
};

let registry: Registry;
let repo: TestRepo;
let home: string;
let dockerHost: string;
const image = () => `${registry.host}/acme/app`;

beforeAll(async () => {
  if (!existsSync(PLUGIN)) throw new Error(`${PLUGIN} is missing: run \`npm run build\` first`);
  dockerHost = (await ensureDocker()).host;
  registry = await startRegistry({ auth: AUTH });
  repo = await createRepo({ files: FILES });
  home = await mkdtemp(path.join(tmpdir(), 'srs-add-channel-home-'));
});

afterAll(async () => {
  if (registry) await removeLocalImages();
  await registry?.stop();
  await repo?.cleanup();
  if (home) await rm(home, { recursive: true, force: true });
});

function config() {
  return {
    branches: ['main', { name: 'next', channel: 'next' }],
    repositoryUrl: repo.remoteUrl,
    plugins: [
      '@semantic-release/commit-analyzer',
      '@semantic-release/release-notes-generator',
      [
        PLUGIN,
        {
          docker: {
            image: image(),
            wheelsDir: false,
            floatingTags: ['latest', '{major}', '{major}.{minor}'],
          },
          helm: { chart: 'helm/app', index: { url: INDEX_URL } },
        },
      ],
      ['@semantic-release/git', { assets: ['helm/app/Chart.yaml', 'helm/app/values.yaml'] }],
    ],
  };
}

async function release(): Promise<RunResult> {
  const result = await runSemanticRelease(repo, {
    config: config(),
    env: {
      DOCKER_HOST: dockerHost,
      DOCKER_REGISTRY_USER: AUTH.user,
      DOCKER_REGISTRY_PASSWORD: AUTH.password,
      HOME: home,
    },
  });
  expect(result.code, result.output).toBe(0);
  return result;
}

const digestOf = async (tag: string) =>
  (await getManifest(registry, 'acme/app', tag, { auth: AUTH, method: 'HEAD' })).digest;

/** The repository's images in the daemon, by reference. */
async function localImages(): Promise<string[]> {
  const { stdout } = await docker([
    'image',
    'ls',
    '--filter',
    `reference=${image()}`,
    '--format',
    '{{.Repository}}:{{.Tag}}',
  ]);
  return stdout.split('\n').filter(Boolean).sort();
}

async function removeLocalImages(): Promise<void> {
  const refs = await localImages();
  if (refs.length) await docker(['image', 'rm', '--force', ...refs], { reject: false });
}

/** Every blob the registry stores (layers, configs, manifests), by digest. */
async function registryBlobs(): Promise<string[]> {
  const root = path.join(registry.dir, 'data/docker/registry/v2/blobs/sha256');
  const prefixes = await readdir(root);
  const blobs = await Promise.all(prefixes.map((p) => readdir(path.join(root, p))));
  return blobs.flat().sort();
}

describe.sequential('addChannel: a release on `next` reaches `main`', { timeout: 300_000 }, () => {
  let releasedOnNext: string | undefined;
  let indexAfterNext: string;

  it('releases 1.0.0 on main, then 1.1.0 on the `next` channel with its channel tag only', async () => {
    await commitAndPush(repo, 'feat: first', { 'src.txt': 'one\n' });
    await release();
    const first = await digestOf('1.0.0');
    expect(await digestOf('latest')).toBe(first);

    await repo.git(['checkout', '--quiet', '-b', 'next']);
    await repo.git(['push', '--quiet', '--set-upstream', 'origin', 'next']);
    await commitAndPush(repo, 'feat: next thing', { 'src.txt': 'two\n' });
    const onNext = await release();
    expect(onNext.output).toContain('Release plan for v1.1.0 (1.1.0)');
    releasedOnNext = await digestOf('1.1.0');
    expect(releasedOnNext).not.toBe(first);
    expect(await digestOf('next')).toBe(releasedOnNext);
    // The default channel's tags stay where the default channel's last release put them.
    for (const tag of ['latest', '1', '1.0']) expect(await digestOf(tag), tag).toBe(first);
    expect(await digestOf('1.1')).toBeUndefined();
    indexAfterNext = await showFile(repo.remote, 'gh-pages', 'index.yaml');
    expect(indexAfterNext).toContain(
      `- ${INDEX_URL.replace('{gitTag}', 'v1.1.0').replace('{file}', 'app-1.1.0.tgz')}`,
    );
  });

  it('merging next into main moves latest, 1 and 1.1 to the released digest, building and pushing nothing', async () => {
    await removeLocalImages();
    expect(await localImages()).toEqual([]);
    const blobsBefore = await registryBlobs();
    const indexHead = (await logOf(repo.remote, 'gh-pages'))[0]!.hash;

    await repo.git(['checkout', '--quiet', 'main']);
    await repo.git(['merge', '--quiet', '--ff-only', 'next']);
    await repo.git(['push', '--quiet', 'origin', 'main']);
    const result = await release();
    expect(result.output).toContain('Add default channel to tag v1.1.0');

    for (const tag of ['latest', '1', '1.1']) expect(await digestOf(tag), tag).toBe(releasedOnNext);
    expect(await digestOf('1.1.0')).toBe(releasedOnNext);
    expect(await digestOf('next')).toBe(releasedOnNext);
    // No image was built or pulled, no layer, config or manifest blob was pushed.
    expect(await localImages()).toEqual([]);
    expect(await registryBlobs()).toEqual(blobsBefore);
    // The chart needs nothing new: its index entry (and URL) is as the release on next left it.
    expect((await logOf(repo.remote, 'gh-pages'))[0]!.hash).toBe(indexHead);
    expect(await showFile(repo.remote, 'gh-pages', 'index.yaml')).toBe(indexAfterNext);
  });
});
