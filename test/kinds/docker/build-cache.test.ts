import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerKind } from '../../../src/kinds/docker/index.js';
import { requireBuildkitDockerCli, startPrivateDockerd, type PrivateDockerd } from '../../helpers/docker.js';
import { createRepo, type TestRepo } from '../../helpers/git.js';
import { startRegistry, type Registry } from '../../helpers/registry.js';
import { INSTALL_HINTS, requireTool } from '../../helpers/tools.js';
import { builtWheel, imageFiles, release } from './fixture.js';

/**
 * `docker.cache` against real daemons: each release runs on a dockerd of its own with an empty store
 * (what a fresh CI runner has), so a step can only come from the cache the registry holds. The
 * registry wants the push credentials for every pull.
 */
const USER = 'cache-bot';
const PASSWORD = `C4che-${Math.random().toString(36).slice(2)}`;
// The expensive step: its output (a random UUID) differs on every run of the step.
const LEGACY_DOCKERFILE = [
  'FROM scratch',
  'COPY busybox /bin/busybox',
  'RUN ["/bin/busybox", "sh", "-c", "/bin/busybox sleep 1; /bin/busybox cat /proc/sys/kernel/random/uuid > /built-at"]',
  'COPY whls/ /whls/',
  '',
].join('\n');
// BuildKit gives a RUN step a bridge network, which the test daemons have none of (--bridge=none) and
// its 20.10 Dockerfile frontend has no `RUN --network`: a COPY step shows the cache the same way.
const BUILDKIT_DOCKERFILE = ['FROM scratch', 'COPY busybox /bin/busybox', 'COPY whls/ /whls/', ''].join('\n');

let registry: Registry;
let repo: TestRepo;
let gitHead: string;
let home: string;
let buildkitBin: string;
let containerStores: string;
let firstRunner: PrivateDockerd | undefined;
let secondRunner: PrivateDockerd | undefined;

beforeAll(async () => {
  const busybox = await requireTool('/usr/bin/busybox', INSTALL_HINTS.busybox);
  registry = await startRegistry({ auth: { user: USER, password: PASSWORD } });
  repo = await createRepo({
    files: {
      'docker/Dockerfile': LEGACY_DOCKERFILE,
      'docker/busybox': await readFile(busybox),
      'docker/whls/.gitkeep': '',
      'bk/Dockerfile': BUILDKIT_DOCKERFILE,
      'bk/busybox': await readFile(busybox),
      'bk/whls/.gitkeep': '',
    },
  });
  await chmod(path.join(repo.dir, 'docker/busybox'), 0o755);
  gitHead = await repo.git(['rev-parse', 'HEAD']);
  home = await mkdtemp(path.join(tmpdir(), 'srs-cache-home-'));
  buildkitBin = await mkdtemp(path.join(home, 'buildkit-bin-'));
  await symlink(await requireBuildkitDockerCli(), path.join(buildkitBin, 'docker'));
  containerStores = await mkdtemp(path.join(tmpdir(), 'srs-cache-stores-'));
  [firstRunner, secondRunner] = await Promise.all([startPrivateDockerd(), startPrivateDockerd()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([firstRunner?.stop(), secondRunner?.stop()]);
  await registry?.stop();
  await repo?.cleanup();
  await rm(home, { recursive: true, force: true });
  if (containerStores) await rm(containerStores, { recursive: true, force: true });
});

const main = { name: 'main', type: 'release', main: true } as const;
const env = (runner: PrivateDockerd, extra: Record<string, string> = {}) => ({
  DOCKER_HOST: runner.host,
  HOME: home,
  DOCKER_REGISTRY_USER: USER,
  DOCKER_REGISTRY_PASSWORD: PASSWORD,
  ...extra,
});

async function releaseImage(
  runner: PrivateDockerd | { env: Record<string, string> },
  version: string,
  lastRelease: string | undefined,
  options: Record<string, unknown>,
  extraEnv: Record<string, string> = {},
) {
  const manifest = await builtWheel(repo.dir, version, gitHead);
  const r = release(
    repo,
    gitHead,
    {
      version,
      branch: main,
      env: 'host' in runner ? env(runner, extraEnv) : { ...runner.env, ...extraEnv },
      ...(lastRelease ? { lastRelease: { version: lastRelease, gitTag: `v${lastRelease}` } } : {}),
    },
    { cache: true, ...options },
  );
  await dockerKind.prepare!(r.config, r.ctx, manifest);
  await dockerKind.publish!(r.config, r.ctx, manifest);
  return r.logger;
}

/** Whether BuildKit took a Dockerfile line's step from cache (its output comes in chunks of lines). */
function buildkitStep(logged: string[], instruction: string): { cached: boolean } {
  const lines = logged.flatMap((chunk) => chunk.replace(/^log: /, '').split('\n'));
  const header = lines.find((l) => l.includes('] ' + instruction));
  const step = header && /#(\d+) \[/.exec(header)?.[1];
  expect(step, `no BuildKit step for ${instruction} in:\n${lines.join('\n')}`).toBeDefined();
  return { cached: lines.some((l) => l.trim() === `#${step} CACHED`) };
}

describe('docker.cache with fresh daemons and a registry that wants credentials', () => {
  it('legacy builder: the next release on an empty store pulls the last release and reuses its RUN step', async () => {
    const image = `${registry.host}/acme/app`;
    const first = await releaseImage(firstRunner!, '1.0.0', undefined, { image });
    expect(first.text()).toContain('Building without cache: no earlier release on this branch');

    const second = await releaseImage(secondRunner!, '1.1.0', '1.0.0', { image });
    const text = second.text();
    expect(text).toContain(`Build cache: ${image}:1.0.0`);
    expect(text).toMatch(/Step 3\/\d+ : RUN .*\n.* ---> Using cache/);
    expect(text).not.toContain(PASSWORD);

    const before = await imageFiles(registry, 'acme/app', '1.0.0');
    const after = await imageFiles(registry, 'acme/app', '1.1.0');
    // The RUN step's output is the 1.0.0 build's, byte for byte: the step did not run again.
    expect(after.files.get('built-at')?.toString()).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(after.files.get('built-at')).toEqual(before.files.get('built-at'));
    expect([...after.files.keys()]).toContain('whls/app-1.1.0-py3-none-any.whl');
  }, 240_000);

  it('legacy builder: a cache image the registry does not hold is a log line, and the build goes on', async () => {
    const image = `${registry.host}/acme/app`;
    const logger = await releaseImage(secondRunner!, '1.2.0', '1.1.5', { image });
    expect(logger.text()).toContain(`Building without cache: ${image}:1.1.5 is not in the registry`);
    expect(logger.text()).not.toContain('docker pull');
    const pushed = await imageFiles(registry, 'acme/app', '1.2.0');
    expect([...pushed.files.keys()]).toContain('whls/app-1.2.0-py3-none-any.whl');
  }, 240_000);

  it('BuildKit: the pushed image carries inline cache metadata that the next release on an empty store uses', async () => {
    const image = `${registry.host}/acme/bk`;
    const buildkit = { PATH: `${buildkitBin}:${process.env.PATH ?? ''}`, DOCKER_BUILDKIT: '1' };
    const options = { image, context: 'bk' };
    const first = await releaseImage(firstRunner!, '1.0.0', undefined, options, buildkit);
    expect(buildkitStep(first.lines, 'COPY busybox').cached).toBe(false);
    const pushed = await imageFiles(registry, 'acme/bk', '1.0.0');
    expect(pushed.config).toHaveProperty(['moby.buildkit.cache.v0']);

    const second = await releaseImage(secondRunner!, '1.1.0', '1.0.0', options, buildkit);
    expect(second.text()).toContain(`importing cache manifest from ${image}:1.0.0`);
    expect(buildkitStep(second.lines, 'COPY busybox').cached).toBe(true);
    expect(buildkitStep(second.lines, 'COPY whls/').cached).toBe(false);
    const next = await imageFiles(registry, 'acme/bk', '1.1.0');
    expect(next.config).toHaveProperty(['moby.buildkit.cache.v0']);
  }, 240_000);
});

/**
 * An empty containers/storage of its own for podman or buildah (vfs, as in containers.test.ts): the
 * daemonless builders' "fresh runner".
 */
async function emptyStore(name: string): Promise<{ env: Record<string, string> }> {
  const dir = path.join(containerStores, name);
  await mkdir(dir);
  const conf = path.join(dir, 'storage.conf');
  await writeFile(conf, `[storage]\ndriver = "vfs"\nrunroot = "${dir}/run"\ngraphroot = "${dir}/graph"\n`);
  return {
    env: {
      CONTAINERS_STORAGE_CONF: conf,
      HOME: dir,
      XDG_RUNTIME_DIR: path.join(dir, 'xdg'),
      DOCKER_REGISTRY_USER: USER,
      DOCKER_REGISTRY_PASSWORD: PASSWORD,
    },
  };
}

describe.each(['podman', 'buildah'] as const)('docker.cache with %s and empty stores', (builder) => {
  it('pushes each step to the image repository as cache, and the next release on an empty store pulls its RUN step', async () => {
    await requireTool(builder, `apt-get install ${builder}`);
    const image = `${registry.host}/acme/${builder}-app`;
    const options = { image, builder };
    const first = await releaseImage(await emptyStore(`${builder}-1`), '1.0.0', undefined, options);
    expect(first.text()).toContain(`Build cache: ${image} (${builder} cache images)`);
    expect(first.text()).toContain(`Pushing cache ${image}:`);

    const second = await releaseImage(await emptyStore(`${builder}-2`), '1.1.0', '1.0.0', options);
    expect(second.text()).toMatch(/STEP 3\/\d+: RUN .*\n(?:.*\n)*?.*Cache pulled from remote/);
    expect(second.text()).not.toContain(PASSWORD);
    const before = await imageFiles(registry, `acme/${builder}-app`, '1.0.0');
    const after = await imageFiles(registry, `acme/${builder}-app`, '1.1.0');
    expect(after.files.get('built-at')?.toString()).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(after.files.get('built-at')).toEqual(before.files.get('built-at'));
    expect([...after.files.keys()]).toContain('whls/app-1.1.0-py3-none-any.whl');
  }, 240_000);
});
