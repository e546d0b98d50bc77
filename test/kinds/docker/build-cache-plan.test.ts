import { describe, expect, it } from 'vitest';
import { resolveDockerConfig, type ImageConfig } from '../../../src/kinds/docker/config.js';
import { planImage } from '../../../src/kinds/docker/plan.js';
import { fakeReleaseContext, fakeStepContext, type FakeContextInput } from '../../helpers/contexts.js';

function config(options: Record<string, unknown> = {}): ImageConfig {
  const result = resolveDockerConfig(
    { image: 'registry.example.com/org/app', cache: true, ...options },
    fakeStepContext({ root: '/repo' }),
  );
  expect(result.errors).toEqual([]);
  return result.config!.images[0]!;
}

const release = (input: Omit<FakeContextInput, 'root'> & { version: string }) =>
  fakeReleaseContext({ root: '/repo', ...input });
const main = { name: 'main', type: 'release', main: true } as const;
const last = (version: string) => ({ version, gitTag: `v${version}` });
const cacheLines = (c: ImageConfig, input: Omit<FakeContextInput, 'root'> & { version: string }) =>
  planImage(c, release(input))
    .filter((l) => /cache/.test(l.text))
    .map((l) => `${l.action}: ${l.text}`);

describe('docker.cache option and plan', () => {
  it('is off by default and takes only a boolean', () => {
    const ctx = fakeStepContext({ root: '/repo' });
    expect(resolveDockerConfig({ image: 'org/app' }, ctx).config?.images[0]?.cache).toBe(false);
    expect(resolveDockerConfig({ image: 'org/app', cache: true }, ctx).config?.images[0]?.cache).toBe(true);
    const wrong = resolveDockerConfig({ image: 'org/app', cache: 'yes' }, ctx);
    expect(wrong.errors.map((e) => (e as { code?: string }).code)).toEqual(['EINVALIDOPTION']);
    expect(
      planImage(config({ cache: false }), release({ version: '1.1.0', branch: main })).map((l) => l.text),
    ).not.toContain(expect.stringMatching(/cache/));
  });

  it("plans the cache from the last release's version tag, on every channel", () => {
    expect(cacheLines(config(), { version: '1.5.0', branch: main, lastRelease: last('1.4.2') })).toEqual([
      "build: cache from registry.example.com/org/app:1.4.2 (the last release's image; built without it if the registry does not hold it)",
    ]);
    // A prerelease branch, a maintenance branch: not `latest`, the branch's own last version.
    const beta = { name: 'beta', type: 'prerelease', prerelease: 'beta' } as const;
    expect(
      cacheLines(config(), { version: '2.0.0-beta.3', branch: beta, lastRelease: last('2.0.0-beta.2') }),
    ).toEqual([expect.stringContaining('cache from registry.example.com/org/app:2.0.0-beta.2 ')]);
    const maintenance = { name: '1.2.x', type: 'maintenance' } as const;
    expect(
      cacheLines(config(), { version: '1.2.8', branch: maintenance, lastRelease: last('1.2.7') }),
    ).toEqual([expect.stringContaining('cache from registry.example.com/org/app:1.2.7 ')]);
    // Build metadata is rendered as the image tag the release pushed.
    expect(cacheLines(config(), { version: '1.5.0', branch: main, lastRelease: last('1.4.2+b.7') })).toEqual([
      expect.stringContaining('cache from registry.example.com/org/app:1.4.2_b.7 '),
    ]);
  });

  it('says why there is no cache source, and what podman and buildah use instead', () => {
    expect(cacheLines(config(), { version: '1.0.0', branch: main })).toEqual([
      'build: no build cache: no earlier release on this branch',
    ]);
    expect(cacheLines(config({ builder: 'podman' }), { version: '1.1.0', branch: main })).toEqual([
      "build: cache from and to registry.example.com/org/app (podman's cache images)",
    ]);
    expect(
      cacheLines(config({ builder: 'buildah', platforms: ['linux/amd64', 'linux/arm64'] }), {
        version: '1.1.0',
        branch: main,
        lastRelease: last('1.0.0'),
      }),
    ).toEqual(['build: no build cache: buildah builds several platforms without cache']);
  });
});
