import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerKind } from '../../../src/kinds/docker/index.js';
import type { TestRepo } from '../../helpers/git.js';
import { getBlob, getManifest, listTags, startRegistry, type Registry } from '../../helpers/registry.js';
import { requireTool } from '../../helpers/tools.js';
import { builtWheel, dockerRepo, imageFiles, release, tarFiles, watchArgv } from './fixture.js';

/**
 * podman and buildah from Debian 12 (podman 4.3, buildah 1.28), run as root without systemd. What
 * works here: containers/storage with the vfs driver in a directory of the test's own (given by
 * CONTAINERS_STORAGE_CONF in the context env, so the machine's storage is untouched); `RUN` steps
 * work with the default OCI isolation (runc); no further flags are needed.
 */
const INSTALL = { podman: 'apt-get install podman', buildah: 'apt-get install buildah' } as const;
const USER = 'oci-bot';
const PASSWORD = `Cont41ner-${Math.random().toString(36).slice(2)}`;

let registry: Registry;
let storage: string;
let repo: TestRepo;
let gitHead: string;
let storageEnv: Record<string, string>;

beforeAll(async () => {
  await requireTool('podman', INSTALL.podman);
  await requireTool('buildah', INSTALL.buildah);
  registry = await startRegistry({ auth: { user: USER, password: PASSWORD } });
  storage = await mkdtemp(path.join(tmpdir(), 'srs-containers-'));
  const conf = path.join(storage, 'storage.conf');
  await writeFile(
    conf,
    `[storage]\ndriver = "vfs"\nrunroot = "${storage}/run"\ngraphroot = "${storage}/graph"\n`,
  );
  storageEnv = { CONTAINERS_STORAGE_CONF: conf, HOME: storage, XDG_RUNTIME_DIR: path.join(storage, 'xdg') };
  repo = await dockerRepo({ 'docker/whls/app-0.9.0-py3-none-any.whl': 'stale' });
  gitHead = await repo.git(['rev-parse', 'HEAD']);
});

afterAll(async () => {
  await registry?.stop();
  await repo?.cleanup();
  await rm(storage, { recursive: true, force: true });
});

const env = () => ({ ...storageEnv, DOCKER_REGISTRY_USER: USER, DOCKER_REGISTRY_PASSWORD: PASSWORD });
const main = { name: 'main', type: 'release', main: true } as const;

async function localId(builder: 'podman' | 'buildah', ref: string): Promise<string> {
  const args =
    builder === 'podman'
      ? ['image', 'inspect', '--format', '{{.Id}}', ref]
      : ['inspect', '--type', 'image', '--format', '{{.FromImageID}}', ref];
  const { stdout } = await execa(builder, args, { env: storageEnv });
  return `sha256:${stdout.trim()}`;
}

describe.each(['podman', 'buildah'] as const)('docker kind with builder %s', (builder) => {
  const repository = `acme/${builder}-app`;
  const image = () => `${registry.host}/${repository}`;

  it('builds the image once, pushes version and latest with the same digest, and skips a re-run', async () => {
    const manifest = await builtWheel(repo.dir, '1.0.0', gitHead);
    const r = release(
      repo,
      gitHead,
      { version: '1.0.0', branch: main, env: { ...env(), SOURCE_DATE_EPOCH: '1700000000' } },
      { image: image(), builder },
    );
    expect(await dockerKind.check!(r.config, r.ctx)).toEqual([]);
    const watcher = watchArgv([PASSWORD]);
    await dockerKind.prepare!(r.config, r.ctx, manifest);
    const {
      artifacts: [pushed],
    } = await dockerKind.publish!(r.config, r.ctx, manifest);
    expect(await watcher.stop()).toEqual([]);
    expect(r.logger.text()).not.toContain(PASSWORD);

    expect((await readdir(path.join(repo.dir, 'docker/whls'))).sort()).toEqual([
      '.gitkeep',
      'app-1.0.0-py3-none-any.whl',
    ]);
    const remote = await imageFiles(registry, repository, '1.0.0');
    expect(pushed?.digest).toBe(remote.digest);
    expect((await getManifest(registry, repository, 'latest', { auth: registry.auth })).digest).toBe(
      remote.digest,
    );
    expect([...remote.files.keys()].filter((f) => f.endsWith('.whl'))).toEqual([
      'whls/app-1.0.0-py3-none-any.whl',
    ]);
    expect(
      (remote.config as { config: { Labels: Record<string, string> } }).config.Labels[
        'org.opencontainers.image.created'
      ],
    ).toBe('2023-11-14T22:13:20Z');
    const config = (await getManifest(registry, repository, '1.0.0', { auth: registry.auth })).json as {
      config: { digest: string };
    };
    expect(config.config.digest).toBe(await localId(builder, `${image()}:1.0.0`));

    const again = release(
      repo,
      gitHead,
      { version: '1.0.0', branch: main, env: { ...env(), SOURCE_DATE_EPOCH: '1700000000' } },
      { image: image(), builder },
    );
    const {
      artifacts: [second],
    } = await dockerKind.publish!(again.config, again.ctx, manifest);
    expect(second?.digest).toBe(remote.digest);
    expect(again.logger.text()).toContain('already in the registry with this image');
  });

  it('builds a manifest list for two platforms and pushes it under every tag', async () => {
    const manifest = await builtWheel(repo.dir, '1.1.0', gitHead);
    const platforms = ['linux/amd64', 'linux/arm64'];
    const r = release(
      repo,
      gitHead,
      { version: '1.1.0', branch: main, releasedVersions: ['1.0.0'], env: env() },
      { image: image(), builder, platforms, floatingTags: ['latest', '{major}.{minor}'] },
    );
    expect(await dockerKind.check!(r.config, r.ctx)).toEqual([]);
    await dockerKind.prepare!(r.config, r.ctx, manifest);
    const {
      artifacts: [pushed],
    } = await dockerKind.publish!(r.config, r.ctx, manifest);

    const index = await getManifest(registry, repository, '1.1.0', { auth: registry.auth });
    expect(pushed?.digest).toBe(index.digest);
    const entries = (
      index.json as { manifests: Array<{ digest: string; platform: { os: string; architecture: string } }> }
    ).manifests;
    expect(entries.map((m) => `${m.platform.os}/${m.platform.architecture}`).sort()).toEqual(platforms);
    for (const entry of entries) {
      const child = (await getManifest(registry, repository, entry.digest, { auth: registry.auth })).json as {
        layers: Array<{ digest: string }>;
      };
      const wheels = (
        await Promise.all(
          child.layers.map(async (l) => [
            ...tarFiles(await getBlob(registry, repository, l.digest, registry.auth)).keys(),
          ]),
        )
      ).flat();
      expect(wheels.filter((f) => f.endsWith('.whl'))).toEqual(['whls/app-1.1.0-py3-none-any.whl']);
    }
    for (const tag of ['latest', '1.1']) {
      expect((await getManifest(registry, repository, tag, { auth: registry.auth })).digest).toBe(
        index.digest,
      );
    }
    expect((await listTags(registry, repository, registry.auth)).sort()).toEqual([
      '1.0.0',
      '1.1',
      '1.1.0',
      'latest',
    ]);

    const again = release(
      repo,
      gitHead,
      { version: '1.1.0', branch: main, releasedVersions: ['1.0.0'], env: env() },
      { image: image(), builder, platforms, floatingTags: ['latest', '{major}.{minor}'] },
    );
    const {
      artifacts: [second],
    } = await dockerKind.publish!(again.config, again.ctx, manifest);
    expect(second?.digest).toBe(index.digest);
    expect(again.logger.text()).toContain('already in the registry with this image');
  });

  it('passes a build secret to RUN --mount=type=secret without it reaching argv, logs or the image', async () => {
    const busybox = await requireTool('busybox', 'apt-get install busybox-static');
    const secret = `bUild-${Math.random().toString(36).slice(2)}-tok`;
    const context = `secret-${builder}`;
    await mkdir(path.join(repo.dir, context), { recursive: true });
    await copyFile(busybox, path.join(repo.dir, context, 'busybox'));
    await writeFile(
      path.join(repo.dir, context, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\n' +
        'RUN --mount=type=secret,id=index-token ["/bin/busybox", "sh", "-c", "/bin/busybox wc -c < /run/secrets/index-token > /secret-length"]\n',
    );
    const r = release(
      repo,
      gitHead,
      { version: '3.0.0', branch: main, env: { ...env(), INDEX_TOKEN_FOR_BUILD: secret } },
      {
        image: image(),
        builder,
        context,
        wheelsDir: false,
        secrets: [{ id: 'index-token', env: 'INDEX_TOKEN_FOR_BUILD' }],
      },
    );
    expect(await dockerKind.check!(r.config, r.ctx)).toEqual([]);
    const watcher = watchArgv([secret]);
    await dockerKind.prepare!(r.config, r.ctx, { artifacts: [] } as never);
    await dockerKind.publish!(r.config, r.ctx, { artifacts: [] } as never);
    expect(await watcher.stop()).toEqual([]);
    expect(watcher.samples()).toBeGreaterThan(0);
    expect(r.logger.text()).not.toContain(secret);
    // The step saw the secret (its length), and no layer or config of the image holds it.
    const remote = await imageFiles(registry, repository, '3.0.0');
    expect(remote.files.get('secret-length')?.toString().trim()).toBe(String(secret.length));
    const top = await getManifest(registry, repository, '3.0.0', { auth: registry.auth });
    const blobs = [
      (top.json as { config: { digest: string } }).config.digest,
      ...(top.json as { layers: Array<{ digest: string }> }).layers.map((l) => l.digest),
    ];
    for (const digest of blobs) {
      const blob = await getBlob(registry, repository, digest, registry.auth);
      expect(blob.includes(secret)).toBe(false);
      if (blob[0] === 0x1f) expect(gunzipSync(blob).includes(secret)).toBe(false);
    }
  });
});

describe('docker builder, several platforms: the OCI archive buildx writes, pushed through the registry API', () => {
  // No buildx exists on Debian 12, so podman writes the archive in buildx's place: both write an
  // OCI image layout tar whose index.json names one image index.
  it('pushes the archive under the version and floating tags, and skips a re-run', async () => {
    const platforms = ['linux/amd64', 'linux/arm64'];
    const repository = 'acme/buildx-app';
    const image = `${registry.host}/${repository}`;
    const r = release(repo, gitHead, { version: '3.0.0', branch: main, env: env() }, { image, platforms });
    const context = path.join(repo.dir, 'docker');
    await writeFile(path.join(context, 'whls', 'app-3.0.0-py3-none-any.whl'), 'wheel 3.0.0');
    await execa(
      'podman',
      [
        'build',
        '--no-cache',
        '--platform',
        platforms.join(','),
        '--manifest',
        'srs-buildx-standin',
        '--',
        context,
      ],
      { env: storageEnv },
    );
    const { mkdir } = await import('node:fs/promises');
    await mkdir(r.ctx.artifactsDir, { recursive: true });
    const archive = path.join(r.ctx.artifactsDir, `oci-${image.replace(/[^A-Za-z0-9.-]+/g, '_')}.tar`);
    await execa('podman', ['manifest', 'push', '--all', 'srs-buildx-standin', `oci-archive:${archive}`], {
      env: storageEnv,
    });

    const manifest = await builtWheel(repo.dir, '3.0.0', gitHead);
    const {
      artifacts: [pushed],
    } = await dockerKind.publish!(r.config, r.ctx, manifest);
    const index = await getManifest(registry, repository, '3.0.0', { auth: registry.auth });
    expect(index.contentType).toBe('application/vnd.oci.image.index.v1+json');
    expect(pushed?.digest).toBe(index.digest);
    expect((await getManifest(registry, repository, 'latest', { auth: registry.auth })).digest).toBe(
      index.digest,
    );
    const entries = (index.json as { manifests: Array<{ platform: { architecture: string } }> }).manifests;
    expect(entries.map((m) => m.platform.architecture).sort()).toEqual(['amd64', 'arm64']);

    const again = release(
      repo,
      gitHead,
      { version: '3.0.0', branch: main, env: env() },
      { image, platforms },
    );
    const {
      artifacts: [second],
    } = await dockerKind.publish!(again.config, again.ctx, manifest);
    expect(second?.digest).toBe(index.digest);
    expect(again.logger.text()).toContain('already in the registry with this image');
  });
});
