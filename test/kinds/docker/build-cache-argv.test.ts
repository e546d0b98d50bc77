import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRequest } from '../../../src/kinds/docker/builders/builder.js';
import { dockerBuilder } from '../../../src/kinds/docker/builders/docker.js';
import { builderContext } from '../../../src/kinds/docker/login.js';
import { resolveDockerConfig } from '../../../src/kinds/docker/config.js';
import { fakeStepContext, recordingLogger } from '../../helpers/contexts.js';

/**
 * Which cache flags the docker builder passes for each way the docker CLI picks its builder. The
 * real CLI and daemon are in build-cache.test.ts; what cannot run here is a docker CLI with the buildx
 * plugin (Debian 12 packages none, GitHub's runners have it), so a script stands in for the CLI: it
 * records its argv, answers `version` as a CLI 28 and `buildx version` as installed or not, and fails
 * `pull` when told to.
 */
let dir: string;

const SHIM = `#!/bin/sh
printf '%s\\n' "$*" >> "$SHIM_DIR/calls"
case "$1 $2" in
  "version --format") echo 28.2.2 ;;
  "buildx version") [ -n "$SHIM_BUILDX" ] && echo "github.com/docker/buildx v0.20.1" || exit 1 ;;
  "pull --") [ -n "$SHIM_PULL_FAILS" ] && { echo "manifest unknown" >&2; exit 1; } ;;
esac
exit 0
`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'srs-cache-argv-'));
  await writeFile(path.join(dir, 'docker'), SHIM);
  await chmod(path.join(dir, 'docker'), 0o755);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FROM = 'registry.example.com/org/app:1.4.2';

async function build(env: Record<string, string>, request: Partial<BuildRequest> = {}) {
  await rm(path.join(dir, 'calls'), { force: true });
  const logger = recordingLogger();
  const ctx = fakeStepContext({
    root: dir,
    logger,
    env: { PATH: `${dir}:/usr/bin:/bin`, SHIM_DIR: dir, ...env },
  });
  const config = resolveDockerConfig({ image: 'registry.example.com/org/app', cache: true }, ctx).config!
    .images[0]!;
  await dockerBuilder(builderContext(config, ctx)).build({
    ref: 'registry.example.com/org/app:1.5.0',
    contextDir: dir,
    dockerfile: path.join(dir, 'Dockerfile'),
    buildArgs: {},
    labels: {},
    secrets: [],
    platforms: [],
    cache: { from: FROM, repository: 'registry.example.com/org/app' },
    ...request,
  });
  const calls = (await readFile(path.join(dir, 'calls'), 'utf8')).trim().split('\n');
  return { calls, builds: calls.filter((c) => /^(buildx )?build /.test(c)), log: logger.text() };
}

describe('docker builder cache flags', () => {
  it('BuildKit through buildx (docker CLI 23+): inline cache, nothing pulled', async () => {
    const { calls, builds } = await build({ SHIM_BUILDX: '1' });
    expect(calls.some((c) => c.startsWith('pull'))).toBe(false);
    expect(builds).toHaveLength(1);
    expect(builds[0]).toContain(`--cache-from ${FROM} --build-arg BUILDKIT_INLINE_CACHE=1 --`);
  });

  it('BuildKit with DOCKER_BUILDKIT=1 and no buildx; no source: only the metadata is written', async () => {
    const { builds } = await build({ DOCKER_BUILDKIT: '1' });
    expect(builds[0]).toContain(`--cache-from ${FROM} --build-arg BUILDKIT_INLINE_CACHE=1`);
    const first = await build({ DOCKER_BUILDKIT: 'true' }, { cache: { from: undefined, repository: 'x' } });
    expect(first.builds[0]).not.toContain('--cache-from');
    expect(first.builds[0]).toContain('--build-arg BUILDKIT_INLINE_CACHE=1');
  });

  it('legacy builder (DOCKER_BUILDKIT=0 even with buildx, or no buildx): pull, then --cache-from', async () => {
    const envs: Array<Record<string, string>> = [{ DOCKER_BUILDKIT: '0', SHIM_BUILDX: '1' }, {}];
    for (const env of envs) {
      const { calls, builds } = await build(env);
      expect(calls.filter((c) => c.startsWith('pull'))).toEqual([`pull -- ${FROM}`]);
      expect(calls.indexOf(`pull -- ${FROM}`)).toBeLessThan(calls.indexOf(builds[0]!));
      expect(builds[0]).toContain(`--cache-from ${FROM} --`);
      expect(builds[0]).not.toContain('BUILDKIT_INLINE_CACHE');
    }
  });

  it('legacy builder: a failed pull is a log line, and the build runs without --cache-from', async () => {
    const { builds, log } = await build({ SHIM_PULL_FAILS: '1' });
    expect(log).toContain(`Building without cache: \`docker pull ${FROM}\` failed (manifest unknown)`);
    expect(builds[0]).not.toContain('--cache-from');
  });

  it('multi-platform (buildx): inline cache on the buildx build', async () => {
    const { builds } = await build({ SHIM_BUILDX: '1' }, { platforms: ['linux/amd64', 'linux/arm64'] });
    expect(builds[0]).toMatch(/^buildx build --platform linux\/amd64,linux\/arm64 /);
    expect(builds[0]).toContain(`--cache-from ${FROM} --build-arg BUILDKIT_INLINE_CACHE=1 --`);
  });

  it('no cache option: no cache flags, no pull, no builder detection', async () => {
    const { calls, builds } = await build({}, { cache: undefined });
    expect(calls).toEqual(builds);
    expect(builds[0]).not.toMatch(/--cache-from|BUILDKIT_INLINE_CACHE/);
  });
});
