/**
 * semantic-release's addChannel through the REAL CLI: `main` and `next` (channel `next`). A release
 * on `next` gets its version tag and the `next` tag; merging `next` into `main` adds that release to
 * the default channel, and the image's floating tags (`latest`, `{major}`, `{major}.{minor}`) move to
 * the digest already released. Nothing is built (the daemon holds no image of the repository
 * afterwards) and no layer is pushed (the registry's blobs are the same); the chart index entry
 * stays as it was.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { docker } from '../helpers/docker.js';
import { commitAndPush, logOf, showFile } from '../helpers/git.js';
import { getManifest } from '../helpers/registry.js';
import { runSemanticRelease, type RunResult } from '../helpers/semantic-release.js';
import { imageAndChart } from './support.js';

const AUTH = { user: 'channel-bot', password: 'Add-channel-pw-42' };
const INDEX_URL = 'https://charts.example.invalid/{gitTag}/{file}';

const f = imageAndChart('add-channel', AUTH);

const config = () =>
  f.config({
    docker: { image: f.image, wheelsDir: false, floatingTags: ['latest', '{major}', '{major}.{minor}'] },
    helm: { chart: 'helm/app', index: { url: INDEX_URL } },
  });

async function release(): Promise<RunResult> {
  const result = await runSemanticRelease(f.repo, { config: config(), env: f.env });
  expect(result.code, result.output).toBe(0);
  return result;
}

const digestOf = async (tag: string) =>
  (await getManifest(f.registry, 'acme/app', tag, { auth: AUTH, method: 'HEAD' })).digest;

async function removeLocalImages(): Promise<void> {
  const refs = await f.localImages();
  if (refs.length) await docker(['image', 'rm', '--force', ...refs], { reject: false });
}

/** Every blob the registry stores (layers, configs, manifests), by digest. */
async function registryBlobs(): Promise<string[]> {
  const root = path.join(f.registry.dir, 'data/docker/registry/v2/blobs/sha256');
  const prefixes = await readdir(root);
  const blobs = await Promise.all(prefixes.map((p) => readdir(path.join(root, p))));
  return blobs.flat().sort();
}

describe.sequential('addChannel: a release on `next` reaches `main`', { timeout: 300_000 }, () => {
  let releasedOnNext: string | undefined;
  let indexAfterNext: string;

  it('releases 1.0.0 on main, then 1.1.0 on the `next` channel with its channel tag only', async () => {
    await commitAndPush(f.repo, 'feat: first', { 'src.txt': 'one\n' });
    await release();
    const first = await digestOf('1.0.0');
    expect(await digestOf('latest')).toBe(first);

    await f.repo.git(['checkout', '--quiet', '-b', 'next']);
    await f.repo.git(['push', '--quiet', '--set-upstream', 'origin', 'next']);
    await commitAndPush(f.repo, 'feat: next thing', { 'src.txt': 'two\n' });
    const onNext = await release();
    expect(onNext.output).toContain('Release plan for v1.1.0 (1.1.0)');
    releasedOnNext = await digestOf('1.1.0');
    expect(releasedOnNext).not.toBe(first);
    expect(await digestOf('next')).toBe(releasedOnNext);
    // The default channel's tags stay where the default channel's last release put them.
    for (const tag of ['latest', '1', '1.0']) expect(await digestOf(tag), tag).toBe(first);
    expect(await digestOf('1.1')).toBeUndefined();
    indexAfterNext = await showFile(f.repo.remote, 'gh-pages', 'index.yaml');
    expect(indexAfterNext).toContain(
      `- ${INDEX_URL.replace('{gitTag}', 'v1.1.0').replace('{file}', 'app-1.1.0.tgz')}`,
    );
  });

  it('merging next into main moves latest, 1 and 1.1 to the released digest, building and pushing nothing', async () => {
    await removeLocalImages();
    expect(await f.localImages()).toEqual([]);
    const blobsBefore = await registryBlobs();
    const indexHead = (await logOf(f.repo.remote, 'gh-pages'))[0]!.hash;

    await f.repo.git(['checkout', '--quiet', 'main']);
    await f.repo.git(['merge', '--quiet', '--ff-only', 'next']);
    await f.repo.git(['push', '--quiet', 'origin', 'main']);
    const result = await release();
    expect(result.output).toContain('Add default channel to tag v1.1.0');

    for (const tag of ['latest', '1', '1.1']) expect(await digestOf(tag), tag).toBe(releasedOnNext);
    expect(await digestOf('1.1.0')).toBe(releasedOnNext);
    expect(await digestOf('next')).toBe(releasedOnNext);
    // No image was built or pulled, no layer, config or manifest blob was pushed.
    expect(await f.localImages()).toEqual([]);
    expect(await registryBlobs()).toEqual(blobsBefore);
    // The chart needs nothing new: its index entry (and URL) is as the release on next left it.
    expect((await logOf(f.repo.remote, 'gh-pages'))[0]!.hash).toBe(indexHead);
    expect(await showFile(f.repo.remote, 'gh-pages', 'index.yaml')).toBe(indexAfterNext);
  });
});
