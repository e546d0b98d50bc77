/**
 * Several images in one release, through the REAL semantic-release CLI, the real dockerd and TWO
 * real registries (htpasswd, each with its own user): an app and its migrations from two contexts
 * to the first registry, and the app's same build to the second registry under credentials named
 * per image. The chart pins both image tags at two keys of its values file. A dry run first plans
 * every image and writes nothing; then the release builds twice (two distinct builds), pushes three
 * images, records each in the manifest, digests.txt and the workflow outputs.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import { docker, ensureDocker } from '../helpers/docker.js';
import { createRepo, showFile, tagsOf, type TestRepo } from '../helpers/git.js';
import { readOutputs } from '../helpers/github-actions.js';
import { getManifest, listTags, startRegistry, type Registry } from '../helpers/registry.js';
import { runSemanticRelease } from '../helpers/semantic-release.js';
import { PLUGIN, requireDist } from '../reliability/support.js';

const A_AUTH = { user: 'app-pusher', password: `A-pa55-${Math.random().toString(36).slice(2)}` };
const B_AUTH = { user: 'mirror-pusher', password: `B-pa55-${Math.random().toString(36).slice(2)}` };
const VALUES = 'helm/app/values.yaml';

let first: Registry;
let second: Registry;
let repo: TestRepo;
let home: string;
let env: Record<string, string>;

const app = () => `${first.host}/acme/app`;
const migrations = () => `${first.host}/acme/migrations`;
const mirror = () => `${second.host}/mirror/app`;

beforeAll(async () => {
  requireDist();
  const { host } = await ensureDocker();
  [first, second] = await Promise.all([startRegistry({ auth: A_AUTH }), startRegistry({ auth: B_AUTH })]);
  repo = await createRepo({
    message: 'feat: the app and its migrations',
    files: {
      '.gitignore': 'release-artifacts/\n',
      'docker/Dockerfile': 'FROM scratch\nCOPY hello.txt /hello.txt\n',
      'docker/hello.txt': `the app ${Math.random()}\n`,
      'migrations/Dockerfile': 'FROM scratch\nCOPY 001.sql /migrations/001.sql\n',
      'migrations/001.sql': 'CREATE TABLE t (id int);\n',
      'helm/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\nappVersion: 0.1.0\n',
      [VALUES]: 'image:\n  tag: 0.1.0\nmigrations:\n  image:\n    tag: 0.1.0 # pinned by the release\n',
    },
  });
  home = await mkdtemp(path.join(tmpdir(), 'srs-several-images-home-'));
  env = {
    DOCKER_HOST: host,
    HOME: home,
    APP_REGISTRY_USER: A_AUTH.user,
    APP_REGISTRY_TOKEN: A_AUTH.password,
    MIRROR_USER: B_AUTH.user,
    MIRROR_TOKEN: B_AUTH.password,
  };
});

afterAll(async () => {
  const refs = [app(), migrations(), mirror()].flatMap((name) => [`${name}:1.0.0`, `${name}:latest`]);
  await docker(['image', 'rm', '--no-prune', ...refs], { reject: false });
  await Promise.all([first?.stop(), second?.stop()]);
  await repo?.cleanup();
  if (home) await rm(home, { recursive: true, force: true });
});

const appCredentials = { user: 'APP_REGISTRY_USER', password: 'APP_REGISTRY_TOKEN' };
const config = () => ({
  branches: ['main'],
  repositoryUrl: repo.remoteUrl,
  plugins: [
    '@semantic-release/commit-analyzer',
    '@semantic-release/release-notes-generator',
    [
      PLUGIN,
      {
        docker: [
          {
            image: app(),
            wheelsDir: false,
            credentials: appCredentials,
            imageTagKey: 'image.tag',
            valuesFile: VALUES,
          },
          {
            image: migrations(),
            context: 'migrations',
            wheelsDir: false,
            credentials: appCredentials,
            imageTagKey: 'migrations.image.tag',
            valuesFile: VALUES,
          },
          {
            image: mirror(),
            wheelsDir: false,
            credentials: { user: 'MIRROR_USER', password: 'MIRROR_TOKEN' },
          },
        ],
        // The chart's default `image.tag` is also docker[0]'s key: one value, written once.
        helm: { chart: 'helm/app' },
      },
    ],
    ['@semantic-release/git', { assets: ['helm/app/Chart.yaml', VALUES] }],
  ],
});

const localRefs = async () => {
  const names = [app(), migrations(), mirror()];
  const { stdout } = await docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
  return stdout.split('\n').filter((ref) => names.some((name) => ref.startsWith(`${name}:`)));
};

const configDigest = async (registry: Registry, repository: string, tag: string) => {
  const manifest = await getManifest(registry, repository, tag, { auth: registry.auth });
  expect(manifest.status, `${repository}:${tag}`).toBe(200);
  return {
    digest: manifest.digest!,
    config: (manifest.json as { config: { digest: string } }).config.digest,
  };
};

describe('several images per release (docker as an array), two registries', () => {
  it('verifyConditions asks every registry with its own credentials and reports every refusal at once', async () => {
    const wrong = { ...env, APP_REGISTRY_TOKEN: 'not-the-password', MIRROR_TOKEN: 'not-this-one-either' };
    const result = await runSemanticRelease(repo, { config: config(), env: wrong, dryRun: true });
    expect(result.code).not.toBe(0);
    const refusals = result.output.match(/EDOCKERAUTH The registry \S+ refused the credentials/g) ?? [];
    // Two images on the first registry share one refusal; the second registry's is its own.
    expect(refusals.sort()).toEqual(
      [
        `EDOCKERAUTH The registry ${first.host} refused the credentials`,
        `EDOCKERAUTH The registry ${second.host} refused the credentials`,
      ].sort(),
    );
    expect(result.output).toContain('Check MIRROR_USER and MIRROR_TOKEN');
    expect(result.output).toContain('Check APP_REGISTRY_USER and APP_REGISTRY_TOKEN');
    expect(result.output).not.toContain('Building ');
  });

  it('a dry run checks every registry with its own credentials, plans every image, and writes nothing', async () => {
    const result = await runSemanticRelease(repo, { config: config(), env, dryRun: true });
    expect(result.code, result.output).toBe(0);
    const out = result.output;
    expect(out).toContain(`image ${app()}:1.0.0 from docker/ (docker/Dockerfile, docker)`);
    expect(out).toContain(`image ${migrations()}:1.0.0 from migrations/ (migrations/Dockerfile, docker)`);
    expect(out).toContain(
      `image ${mirror()}:1.0.0: the build of ${app()} (same context and options), tagged, not built again`,
    );
    for (const name of [app(), migrations()])
      expect(out).toContain(`push ${name}:1.0.0 (login $APP_REGISTRY_USER/$APP_REGISTRY_TOKEN)`);
    expect(out).toContain(`push ${mirror()}:latest (login $MIRROR_USER/$MIRROR_TOKEN)`);
    expect(out).not.toContain(A_AUTH.password);
    expect(out).not.toContain(B_AUTH.password);

    expect(await tagsOf(repo.remote)).toEqual([]);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    for (const [registry, name] of [
      [first, 'acme/app'],
      [first, 'acme/migrations'],
      [second, 'mirror/app'],
    ] as const)
      expect(await listTags(registry, name, registry.auth)).toEqual([]);
    expect(await localRefs()).toEqual([]);
    expect(existsSync(path.join(repo.dir, 'release-artifacts'))).toBe(false);
    expect(existsSync(path.join(home, '.docker'))).toBe(false);
  });

  it('builds each distinct build once, pushes every image with its own login, pins both tags in the chart', async () => {
    const outputs = path.join(home, 'github-output');
    const result = await runSemanticRelease(repo, {
      config: config(),
      env: { ...env, GITHUB_OUTPUT: outputs },
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain(A_AUTH.password);
    expect(result.output).not.toContain(B_AUTH.password);
    // Two builds (the app, the migrations); the mirror is the app's build, tagged.
    expect(result.output.match(/Building \S+ with docker/g)).toEqual([
      `Building ${app()}:1.0.0 with docker`,
      `Building ${migrations()}:1.0.0 with docker`,
    ]);
    expect(result.output).toContain(`Tagging ${app()}:1.0.0 as ${mirror()}:1.0.0, ${mirror()}:latest`);
    // The builder's own word (the legacy builder here): two builds ran.
    expect(result.output.match(/Successfully built [0-9a-f]+/g)).toHaveLength(2);

    expect((await listTags(first, 'acme/app', first.auth)).sort()).toEqual(['1.0.0', 'latest']);
    expect((await listTags(first, 'acme/migrations', first.auth)).sort()).toEqual(['1.0.0', 'latest']);
    expect((await listTags(second, 'mirror/app', second.auth)).sort()).toEqual(['1.0.0', 'latest']);
    // Each registry takes only its own user: the second one was pushed to with MIRROR_*.
    expect((await getManifest(second, 'mirror/app', '1.0.0', { auth: A_AUTH })).status).toBe(401);
    const appImage = await configDigest(first, 'acme/app', '1.0.0');
    const mirrored = await configDigest(second, 'mirror/app', '1.0.0');
    const migrationsImage = await configDigest(first, 'acme/migrations', '1.0.0');
    expect(mirrored.config).toBe(appImage.config);
    expect(migrationsImage.config).not.toBe(appImage.config);

    // The chart pins both images at their keys, comments kept.
    const values = await showFile(repo.remote, 'v1.0.0', VALUES);
    expect(values).toBe(
      'image:\n  tag: 1.0.0\nmigrations:\n  image:\n    tag: 1.0.0 # pinned by the release', // (git show drops the last newline)
    );

    const manifest = JSON.parse(
      await readFile(path.join(repo.dir, 'release-artifacts/manifest.json'), 'utf8'),
    ) as Manifest;
    const images = manifest.artifacts.filter((a) => a.type === 'image');
    expect(images.map((a) => [a.name, a.refs?.[0], a.digest]).sort()).toEqual(
      [
        [app(), `${app()}:1.0.0`, appImage.digest],
        [migrations(), `${migrations()}:1.0.0`, migrationsImage.digest],
        [mirror(), `${mirror()}:1.0.0`, mirrored.digest],
      ].sort(),
    );
    const digests = await readFile(path.join(repo.dir, 'release-artifacts/digests.txt'), 'utf8');
    for (const [name, digest] of [
      [app(), appImage.digest],
      [migrations(), migrationsImage.digest],
      [mirror(), mirrored.digest],
    ] as const)
      expect(digests).toContain(`${digest.slice('sha256:'.length)}  ${name}\n`);
    // Several images: one reference and one digest per line, in the manifest's order.
    const written = readOutputs(await readFile(outputs, 'utf8'));
    const order = images.map((a) => a.refs![0]!);
    expect(written.image).toBe(order.join('\n'));
    expect(written['image-digest']).toBe(images.map((a) => a.digest).join('\n'));
  });
});
