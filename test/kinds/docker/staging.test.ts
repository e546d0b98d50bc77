import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveDockerConfig } from '../../../src/kinds/docker/config.js';
import { sourceUrl } from '../../../src/kinds/docker/labels.js';
import { stageWheels } from '../../../src/kinds/docker/stage-wheels.js';
import { fakeReleaseContext } from '../../helpers/contexts.js';
import { builtWheel } from './fixture.js';

const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

async function setup(options: Record<string, unknown> = {}) {
  const root = await mkdtemp(path.join(tmpdir(), 'srs-stage-'));
  dirs.push(root);
  const ctx = fakeReleaseContext({ root, version: '1.2.0' });
  const config = resolveDockerConfig({ image: 'org/app', ...options }, ctx).config!.images[0]!;
  return { root, ctx, config };
}

describe('staging wheels', () => {
  it('replaces every older wheel with the ones of this run, keeping other files', async () => {
    const { root, ctx, config } = await setup();
    await mkdir(path.join(root, 'docker/whls'), { recursive: true });
    for (const name of ['old-1.0.0-py3-none-any.whl', 'other-0.1-py3-none-any.whl', 'README'])
      await writeFile(path.join(root, 'docker/whls', name), 'x');
    const manifest = await builtWheel(root, '1.2.0', 'HEAD');
    expect(await stageWheels(config, ctx, manifest)).toEqual(['docker/whls/app-1.2.0-py3-none-any.whl']);
    expect((await readdir(path.join(root, 'docker/whls'))).sort()).toEqual([
      'README',
      'app-1.2.0-py3-none-any.whl',
    ]);
  });

  it('creates the folder, and refuses a run that built no wheel (EDOCKERNOWHEEL)', async () => {
    const { root, ctx, config } = await setup({ context: 'img', wheelsDir: 'dist/wheels' });
    const manifest = await builtWheel(root, '1.2.0', 'HEAD');
    await stageWheels(config, ctx, manifest);
    expect(await readdir(path.join(root, 'img/dist/wheels'))).toEqual(['app-1.2.0-py3-none-any.whl']);
    await expect(stageWheels(config, ctx, { ...manifest, artifacts: [] })).rejects.toMatchObject({
      code: 'EDOCKERNOWHEEL',
    });
  });

  it('does nothing with wheelsDir false, and refuses a wheels folder that links out of the repository', async () => {
    const off = await setup({ wheelsDir: false });
    expect(
      await stageWheels(off.config, off.ctx, {
        ...(await builtWheel(off.root, '1.2.0', 'HEAD')),
        artifacts: [],
      }),
    ).toEqual([]);
    const { root, ctx, config } = await setup();
    const outside = await mkdtemp(path.join(tmpdir(), 'srs-outside-'));
    dirs.push(outside);
    await mkdir(path.join(root, 'docker'), { recursive: true });
    await symlink(outside, path.join(root, 'docker/whls'));
    await expect(stageWheels(config, ctx, await builtWheel(root, '1.2.0', 'HEAD'))).rejects.toMatchObject({
      code: 'EPATHOUTSIDEREPO',
    });
    expect(await readdir(outside)).toEqual([]);
  });
});

describe('the source label', () => {
  it.each([
    ['https://x-access-token:ghs_secret123@github.com/acme/app.git', 'https://github.com/acme/app'],
    ['git@github.com:acme/app.git', 'https://github.com/acme/app'],
    ['git+https://gitlab.example.com:8443/group/app', 'https://gitlab.example.com:8443/group/app'],
    ['ssh://git@host.example.com:2222/acme/app.git', 'https://host.example.com/acme/app'],
    ['/srv/git/app.git', undefined],
    ['origin', undefined],
  ])('%s → %s', (url, expected) => expect(sourceUrl(url)).toBe(expected));
});
