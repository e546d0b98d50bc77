import { describe, expect, it } from 'vitest';
import { resolveDockerConfig, type ImageConfig } from '../../../src/kinds/docker/config.js';
import { planImage } from '../../../src/kinds/docker/plan.js';
import { imageRefs, imageTags } from '../../../src/kinds/docker/tags.js';
import { fakeReleaseContext, fakeStepContext, type FakeContextInput } from '../../helpers/contexts.js';

function config(options: Record<string, unknown> = {}): ImageConfig {
  const result = resolveDockerConfig(
    { image: 'registry.example.com/org/app', ...options },
    fakeStepContext({ root: '/repo' }),
  );
  expect(result.errors).toEqual([]);
  return result.config!.images[0]!;
}

const release = (input: Omit<FakeContextInput, 'root'> & { version: string }) =>
  fakeReleaseContext({ root: '/repo', ...input });
const main = { name: 'main', type: 'release', main: true } as const;

describe('image tags', () => {
  it('gives a release on the default channel the version tag and `latest`', () => {
    const tags = imageTags(
      config(),
      release({ version: '1.4.0', branch: main, releasedVersions: ['1.3.0', '1.3.1'] }),
    );
    expect(tags).toEqual({ version: '1.4.0', floating: ['latest'], skipped: undefined });
    expect(imageRefs(config().image, tags)).toEqual([
      'registry.example.com/org/app:1.4.0',
      'registry.example.com/org/app:latest',
    ]);
  });

  it('fills {major} and {major}.{minor} templates through the version model', () => {
    const c = config({ floatingTags: ['latest', '{major}', '{major}.{minor}', 'v{major}-stable'] });
    expect(imageTags(c, release({ version: '1.4.2', branch: main })).floating).toEqual([
      'latest',
      '1',
      '1.4',
      'v1-stable',
    ]);
  });

  it('never moves floating tags for a prerelease; the channel gets its tag', () => {
    const beta = { name: 'beta', type: 'prerelease', main: false, prerelease: 'beta' } as const;
    const ctx = release({
      version: '2.0.0-beta.3',
      branch: beta,
      channel: 'beta',
      releasedVersions: ['1.4.0'],
    });
    expect(imageTags(config(), ctx)).toEqual({
      version: '2.0.0-beta.3',
      floating: ['beta'],
      skipped: 'a prerelease',
    });
    expect(imageTags(config({ channelTags: false }), ctx).floating).toEqual([]);
  });

  it('never moves floating tags for a maintenance release, even one on the default channel', () => {
    const maintenance = { name: '1.x', type: 'maintenance', main: false } as const;
    const ctx = release({
      version: '1.4.3',
      branch: maintenance,
      channel: null,
      releasedVersions: ['1.4.2', '2.0.0', '2.1.0-beta.1'],
    });
    expect(imageTags(config({ floatingTags: ['latest', '{major}'] }), ctx)).toEqual({
      version: '1.4.3',
      floating: [],
      skipped: 'a maintenance release',
    });
  });

  it('leaves latest alone for a release below one already out on the default channel', () => {
    const ctx = release({ version: '1.4.3', branch: main, releasedVersions: ['1.4.2', '2.0.0'] });
    expect(imageTags(config(), ctx)).toEqual({ version: '1.4.3', floating: [], skipped: '2.0.0 is newer' });
  });

  it('compares with the default channel only: a higher version on `next` does not hold latest back', () => {
    const ctx = release({
      version: '1.5.0',
      branch: main,
      releasedVersions: [
        { version: '1.4.0', channels: [null] },
        { version: '2.0.0', channels: ['next'] },
      ],
    });
    expect(imageTags(config(), ctx).floating).toEqual(['latest']);
    const merged = release({
      version: '1.5.0',
      branch: main,
      releasedVersions: [{ version: '2.0.0', channels: ['next', null] }],
    });
    expect(imageTags(config(), merged).skipped).toBe('2.0.0 is newer');
  });

  it('gives a release on another release branch its channel tag, not latest', () => {
    const next = { name: 'next', type: 'release', main: false } as const;
    const ctx = release({ version: '2.0.0', branch: next, channel: 'next', releasedVersions: ['1.4.0'] });
    expect(imageTags(config(), ctx)).toEqual({
      version: '2.0.0',
      floating: ['next'],
      skipped: 'a release on the channel `next`',
    });
  });

  it('gives a maintenance release on its own channel only that channel tag', () => {
    const maintenance = { name: '1.x', type: 'maintenance', main: false } as const;
    const ctx = release({
      version: '1.4.3',
      branch: maintenance,
      channel: '1.x',
      releasedVersions: ['2.0.0'],
    });
    expect(imageTags(config(), ctx).floating).toEqual(['1.x']);
  });

  it('ignores newer prereleases when deciding that a release is the newest', () => {
    const ctx = release({ version: '1.5.0', branch: main, releasedVersions: ['1.4.0', '2.0.0-beta.1'] });
    expect(imageTags(config(), ctx).floating).toEqual(['latest']);
  });

  it('turns build metadata into a valid tag and never duplicates the version tag', () => {
    const ctx = release({ version: '1.4.0+build.7', branch: main });
    expect(imageTags(config({ floatingTags: ['latest', '{imageTag}'] }), ctx)).toMatchObject({
      version: '1.4.0_build.7',
      floating: ['latest'],
    });
  });

  it('plans every reference that would be pushed, version first', () => {
    const lines = planImage(
      config({ floatingTags: ['latest', '{major}'] }),
      release({ version: '1.4.0', branch: main }),
    );
    expect(lines.filter((l) => l.action === 'publish').map((l) => l.text)).toEqual([
      'push registry.example.com/org/app:1.4.0 (existing login)',
      'push registry.example.com/org/app:latest (existing login)',
      'push registry.example.com/org/app:1 (existing login)',
    ]);
    expect(lines.find((l) => l.action === 'build' && l.text.startsWith('image'))?.text).toBe(
      'image registry.example.com/org/app:1.4.0 from docker/ (docker/Dockerfile, docker)',
    );
    const skipped = planImage(
      config(),
      release({
        version: '2.0.0-rc.1',
        branch: { name: 'rc', type: 'prerelease', prerelease: 'rc' },
        channel: 'rc',
      }),
    );
    expect(skipped.map((l) => l.text)).toContain('no latest tag(s): a prerelease');
  });
});

describe('semantic-release-stack/docker', () => {
  it('prints every image reference that would be pushed in the verifyRelease plan', async () => {
    const { verifyRelease } = await import('../../../src/kinds/docker/plugin.js');
    const { srContext, recordingLogger } = await import('../../helpers/contexts.js');
    const logger = recordingLogger();
    const context = srContext({
      root: '/repo',
      logger,
      version: '1.4.0',
      dryRun: true,
      releasedVersions: ['1.3.0'],
    });
    await verifyRelease(
      { image: 'registry.example.com/org/app', floatingTags: ['latest', '{major}.{minor}'] },
      context,
    );
    expect(logger.lines.filter((l) => l.includes('push '))).toEqual([
      'log:   publish push registry.example.com/org/app:1.4.0 (existing login)',
      'log:   publish push registry.example.com/org/app:latest (existing login)',
      'log:   publish push registry.example.com/org/app:1.4 (existing login)',
    ]);
  });
});
