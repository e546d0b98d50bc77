import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerKind } from '../../../src/kinds/docker/index.js';
import { docker, dockerLogin, ensureDocker, requireBuildkitDockerCli } from '../../helpers/docker.js';
import type { TestRepo } from '../../helpers/git.js';
import { getManifest, listTags, startRegistry, type Registry } from '../../helpers/registry.js';
import { builtWheel, dockerRepo, imageFiles, manifestPuts, release, watchArgv } from './fixture.js';

const USER = 'release-bot';
const PASSWORD = `Pa55-${Math.random().toString(36).slice(2)}-word`;

let registry: Registry;
let host: string;
let home: string;
let runTmp: string;
let repo: TestRepo;
let gitHead: string;
const previousTmp = process.env.TMPDIR;

beforeAll(async () => {
  ({ host } = await ensureDocker());
  registry = await startRegistry({ auth: { user: USER, password: PASSWORD } });
  home = await mkdtemp(path.join(tmpdir(), 'srs-docker-home-'));
  // Where the plugin's temporary login directory goes: checked empty after every step.
  runTmp = await mkdtemp(path.join(tmpdir(), 'srs-docker-run-'));
  process.env.TMPDIR = runTmp;
  repo = await dockerRepo({
    'docker/whls/app-1.3.0-py3-none-any.whl': 'a stale wheel from an earlier build',
  });
  gitHead = await repo.git(['rev-parse', 'HEAD']);
});

afterAll(async () => {
  process.env.TMPDIR = previousTmp;
  await registry?.stop();
  await repo?.cleanup();
  await rm(home, { recursive: true, force: true });
  await rm(runTmp, { recursive: true, force: true });
});

const image = () => `${registry.host}/acme/app`;
const env = (extra: Record<string, string> = {}) => ({
  DOCKER_HOST: host,
  HOME: home,
  DOCKER_REGISTRY_USER: USER,
  DOCKER_REGISTRY_PASSWORD: PASSWORD,
  ...extra,
});
const main = { name: 'main', type: 'release', main: true } as const;

async function expectNothingLeftBehind() {
  expect((await readdir(runTmp)).filter((name) => name.startsWith('srs-registry-auth-'))).toEqual([]);
  expect(existsSync(path.join(home, '.docker'))).toBe(false);
}

describe('docker kind with Docker Engine and docker-registry (htpasswd)', () => {
  it("stages only this run's wheel, builds once, pushes version then latest, and records the pushed digest", async () => {
    const manifest = await builtWheel(repo.dir, '1.4.0', gitHead);
    const r = release(
      repo,
      gitHead,
      {
        version: '1.4.0',
        branch: main,
        releasedVersions: ['1.3.0'],
        env: env(),
        repositoryUrl: 'https://x-access-token:ghs_abcdef123456@github.com/acme/app.git',
      },
      { image: image() },
    );

    expect(await dockerKind.check!(r.config, r.ctx)).toEqual([]);
    const watcher = watchArgv([PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')]);
    const prepared = await dockerKind.prepare!(r.config, r.ctx, manifest);
    await expectNothingLeftBehind();
    const published = await dockerKind.publish!(r.config, r.ctx, manifest);
    const leaks = await watcher.stop();
    expect(watcher.samples()).toBeGreaterThan(5);
    expect(leaks).toEqual([]);
    expect(r.logger.text()).not.toContain(PASSWORD);
    await expectNothingLeftBehind();

    // the context holds exactly the new wheel
    expect((await readdir(path.join(repo.dir, 'docker/whls'))).sort()).toEqual([
      '.gitkeep',
      'app-1.4.0-py3-none-any.whl',
    ]);
    expect(r.logger.lines.filter((l) => l.includes('Building '))).toHaveLength(1);

    const refs = [`${image()}:1.4.0`, `${image()}:latest`];
    expect(prepared).toEqual([{ kind: 'docker', type: 'image', name: image(), refs }]);
    const remote = await imageFiles(registry, 'acme/app', '1.4.0');
    expect(published).toEqual({
      outcomes: refs.map((what) => ({ status: 'published', what })),
      artifacts: [{ kind: 'docker', type: 'image', name: image(), refs, digest: remote.digest }],
      release: {
        name: `Docker image ${image()}:1.4.0`,
        url: `http://${registry.host}/v2/acme/app/manifests/1.4.0`,
      },
    });
    expect((await getManifest(registry, 'acme/app', 'latest', { auth: registry.auth })).digest).toBe(
      remote.digest,
    );
    expect((await listTags(registry, 'acme/app', registry.auth)).sort()).toEqual(['1.4.0', 'latest']);
    expect(await manifestPuts(registry)).toEqual(['acme/app:1.4.0', 'acme/app:latest']);

    // the layers hold exactly the wheel of this run
    const wheel = await readFile(path.join(repo.dir, manifest.artifacts[0]!.path!));
    expect([...remote.files.keys()].sort()).toEqual(['whls/.gitkeep', 'whls/app-1.4.0-py3-none-any.whl']);
    expect(remote.files.get('whls/app-1.4.0-py3-none-any.whl')?.equals(wheel)).toBe(true);

    const commitTime = Number(await repo.git(['show', '-s', '--format=%ct', gitHead]));
    expect((remote.config as { config: { Labels: Record<string, string> } }).config.Labels).toMatchObject({
      'org.opencontainers.image.version': '1.4.0',
      'org.opencontainers.image.revision': gitHead,
      'org.opencontainers.image.created': new Date(commitTime * 1000).toISOString().replace('.000Z', 'Z'),
      'org.opencontainers.image.source': 'https://github.com/acme/app',
    });
  });

  it('skips a re-run whose version tag already holds the same image', async () => {
    const manifest = await builtWheel(repo.dir, '1.4.0', gitHead);
    const r = release(
      repo,
      gitHead,
      { version: '1.4.0', branch: main, releasedVersions: ['1.3.0'], env: env() },
      { image: image() },
    );
    const before = await manifestPuts(registry);
    const digest = (await getManifest(registry, 'acme/app', '1.4.0', { auth: registry.auth })).digest;
    // The same commit: publish alone again (a resumed release) must push nothing.
    const published = await dockerKind.publish!(r.config, r.ctx, manifest);
    expect(published.artifacts[0]?.digest).toBe(digest);
    expect(published.outcomes.map((o) => o.status)).toEqual(['already-there', 'already-there']);
    expect(r.logger.text()).toContain('already in the registry with this image');
    expect(await manifestPuts(registry)).toEqual(before);
    await expectNothingLeftBehind();
  });

  it('refuses to overwrite a version tag that holds another image (EIMAGEEXISTS)', async () => {
    const other = await mkdtemp(path.join(home, 'other-'));
    await writeFile(path.join(other, 'Dockerfile'), 'FROM scratch\nCOPY other.txt /other.txt\n');
    await writeFile(path.join(other, 'other.txt'), 'someone else pushed this');
    const config = await dockerLogin(registry.host, { user: USER, password: PASSWORD });
    try {
      await docker(['build', '--tag', `${image()}:1.5.0`, other]);
      await docker(['push', `${image()}:1.5.0`], { config });
    } finally {
      await rm(config, { recursive: true, force: true });
    }
    const theirs = (await getManifest(registry, 'acme/app', '1.5.0', { auth: registry.auth })).digest;
    const latest = (await getManifest(registry, 'acme/app', 'latest', { auth: registry.auth })).digest;

    const manifest = await builtWheel(repo.dir, '1.5.0', gitHead);
    const r = release(
      repo,
      gitHead,
      { version: '1.5.0', branch: main, releasedVersions: ['1.4.0'], env: env() },
      { image: image() },
    );
    await dockerKind.prepare!(r.config, r.ctx, manifest);
    const { outcomes, artifacts } = await dockerKind.publish!(r.config, r.ctx, manifest);
    expect(artifacts).toEqual([]);
    expect(outcomes).toHaveLength(1);
    const [conflict] = outcomes;
    expect(conflict).toMatchObject({ status: 'conflict', what: `${image()}:1.5.0` });
    const error = conflict?.status === 'conflict' ? conflict.error : undefined;
    expect(error).toMatchObject({ code: 'EIMAGEEXISTS' });
    expect(error?.message).toContain(`${image()}:1.5.0`);
    expect((await getManifest(registry, 'acme/app', '1.5.0', { auth: registry.auth })).digest).toBe(theirs);
    expect((await getManifest(registry, 'acme/app', 'latest', { auth: registry.auth })).digest).toBe(latest);
    await expectNothingLeftBehind();
  });

  it('gives a prerelease its channel tag and leaves latest alone', async () => {
    const latest = (await getManifest(registry, 'acme/app', 'latest', { auth: registry.auth })).digest;
    const manifest = await builtWheel(repo.dir, '2.0.0-beta.1', gitHead);
    const beta = { name: 'beta', type: 'prerelease', prerelease: 'beta' } as const;
    const r = release(
      repo,
      gitHead,
      { version: '2.0.0-beta.1', branch: beta, channel: 'beta', releasedVersions: ['1.4.0'], env: env() },
      { image: image() },
    );
    await dockerKind.prepare!(r.config, r.ctx, manifest);
    const {
      artifacts: [pushed],
    } = await dockerKind.publish!(r.config, r.ctx, manifest);
    expect(pushed?.refs).toEqual([`${image()}:2.0.0-beta.1`, `${image()}:beta`]);
    expect((await getManifest(registry, 'acme/app', 'beta', { auth: registry.auth })).digest).toBe(
      pushed?.digest,
    );
    expect((await getManifest(registry, 'acme/app', 'latest', { auth: registry.auth })).digest).toBe(latest);
  });

  it('pushes a maintenance release older than the newest without floating tags', async () => {
    const before = await listTags(registry, 'acme/app', registry.auth);
    const manifest = await builtWheel(repo.dir, '1.3.1', gitHead);
    const maintenance = { name: '1.3.x', type: 'maintenance', main: false } as const;
    const r = release(
      repo,
      gitHead,
      { version: '1.3.1', branch: maintenance, releasedVersions: ['1.3.0', '1.4.0'], env: env() },
      { image: image(), floatingTags: ['latest', '{major}'] },
    );
    await dockerKind.prepare!(r.config, r.ctx, manifest);
    const {
      artifacts: [pushed],
    } = await dockerKind.publish!(r.config, r.ctx, manifest);
    expect(pushed?.refs).toEqual([`${image()}:1.3.1`]);
    expect((await listTags(registry, 'acme/app', registry.auth)).sort()).toEqual([...before, '1.3.1'].sort());
  });

  it('uses the existing login when no credentials are given, without writing to it', async () => {
    const config = await dockerLogin(registry.host, { user: USER, password: PASSWORD });
    try {
      const saved = await readFile(path.join(config, 'config.json'), 'utf8');
      const manifest = await builtWheel(repo.dir, '1.4.1', gitHead);
      const r = release(
        repo,
        gitHead,
        {
          version: '1.4.1',
          branch: main,
          releasedVersions: ['1.4.0'],
          env: { DOCKER_HOST: host, HOME: home, DOCKER_CONFIG: config },
        },
        { image: image() },
      );
      expect(await dockerKind.check!(r.config, r.ctx)).toEqual([]);
      await dockerKind.prepare!(r.config, r.ctx, manifest);
      const {
        artifacts: [pushed],
      } = await dockerKind.publish!(r.config, r.ctx, manifest);
      expect((await getManifest(registry, 'acme/app', 'latest', { auth: registry.auth })).digest).toBe(
        pushed?.digest,
      );
      expect(await readFile(path.join(config, 'config.json'), 'utf8')).toBe(saved);
      expect(r.logger.text()).not.toContain(PASSWORD);
      await expectNothingLeftBehind();
    } finally {
      await rm(config, { recursive: true, force: true });
    }
  });

  it('builds with BuildKit when the job sets DOCKER_BUILDKIT=1 for a docker 20.10 CLI, labels included', async () => {
    // Debian 12's docker.io: its 20.10 CLI builds with BuildKit without buildx (the README tells users
    // to set the variable); newer CLIs need the buildx plugin for that, which this machine lacks.
    const cli = await requireBuildkitDockerCli();
    const bin = await mkdtemp(path.join(home, 'buildkit-bin-'));
    await symlink(cli, path.join(bin, 'docker'));
    const manifest = await builtWheel(repo.dir, '1.4.3', gitHead);
    const r = release(
      repo,
      gitHead,
      {
        version: '1.4.3',
        branch: main,
        releasedVersions: ['1.4.2'],
        env: env({ PATH: `${bin}:${process.env.PATH ?? ''}`, DOCKER_BUILDKIT: '1' }),
      },
      { image: `${registry.host}/acme/buildkit-app` },
    );
    await dockerKind.prepare!(r.config, r.ctx, manifest);
    const {
      artifacts: [pushed],
    } = await dockerKind.publish!(r.config, r.ctx, manifest);
    const remote = await imageFiles(registry, 'acme/buildkit-app', '1.4.3');
    expect(pushed?.digest).toBe(remote.digest);
    const config = remote.config as {
      config: { Labels: Record<string, string> };
      history: Array<{ comment?: string }>;
    };
    expect(config.history.map((h) => h.comment)).toContain('buildkit.dockerfile.v0');
    expect(config.config.Labels).toMatchObject({
      'org.opencontainers.image.version': '1.4.3',
      'org.opencontainers.image.revision': gitHead,
    });
    expect([...remote.files.keys()]).toContain('whls/app-1.4.3-py3-none-any.whl');
    await expectNothingLeftBehind();
  });

  it("keeps the login in the step's own folder when a credential helper is installed", async () => {
    // docker picks the platform's helper (here `pass`) for a config that holds no login yet, and
    // `docker login` would then store the password in the user's keychain, beyond the step.
    const bin = await mkdtemp(path.join(home, 'helper-bin-'));
    const calls = path.join(bin, 'calls.log');
    await writeFile(
      path.join(bin, 'docker-credential-pass'),
      `#!/bin/sh\necho "$1 $(cat)" >> '${calls}'\nexit 1\n`,
      { mode: 0o755 },
    );
    await writeFile(path.join(bin, 'pass'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const manifest = await builtWheel(repo.dir, '1.4.2', gitHead);
    const r = release(
      repo,
      gitHead,
      {
        version: '1.4.2',
        branch: main,
        releasedVersions: ['1.4.1'],
        env: env({ PATH: `${bin}:${process.env.PATH ?? ''}` }),
      },
      { image: `${registry.host}/acme/helper-app` },
    );
    await dockerKind.prepare!(r.config, r.ctx, manifest);
    const {
      artifacts: [pushed],
    } = await dockerKind.publish!(r.config, r.ctx, manifest);
    expect((await getManifest(registry, 'acme/helper-app', '1.4.2', { auth: registry.auth })).digest).toBe(
      pushed?.digest,
    );
    expect(existsSync(calls) ? await readFile(calls, 'utf8') : '').toBe('');
    await expectNothingLeftBehind();
  });
});

describe('docker kind verifyConditions (read-only, as in a dry run)', () => {
  it('refuses a wrong password with EDOCKERAUTH naming the registry, and writes nothing', async () => {
    const tags = await listTags(registry, 'acme/app', registry.auth);
    const r = release(
      repo,
      gitHead,
      { version: '9.9.9', env: env({ DOCKER_REGISTRY_PASSWORD: 'Wrong-pa55word' }), dryRun: true },
      { image: image() },
    );
    const watcher = watchArgv(['Wrong-pa55word']);
    const errors = await dockerKind.check!(r.config, r.ctx);
    expect(await watcher.stop()).toEqual([]);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['EDOCKERAUTH']);
    expect(errors[0]!.message).toContain(registry.host);
    expect(`${errors[0]!.message} ${(errors[0] as { details?: string }).details}`).not.toContain(
      'Wrong-pa55word',
    );
    await expectNothingLeftBehind();
    expect(await listTags(registry, 'acme/app', registry.auth)).toEqual(tags);
  });

  it('reports every problem at once: missing Dockerfile, a context outside the repository, platforms and secrets docker cannot handle without buildx', async () => {
    const outside = await mkdtemp(path.join(home, 'outside-'));
    const { symlink } = await import('node:fs/promises');
    await symlink(outside, path.join(repo.dir, 'escape'));
    try {
      const r = release(
        repo,
        gitHead,
        { version: '9.9.9', env: env() },
        {
          image: image(),
          context: 'escape',
          dockerfile: 'docker/Nope.Dockerfile',
          platforms: ['linux/amd64', 'linux/arm64'],
          secrets: [{ id: 'index', env: 'DOCKER_REGISTRY_PASSWORD' }],
        },
      );
      const codes = (await dockerKind.check!(r.config, r.ctx))
        .map((e) => (e as { code?: string }).code)
        .sort();
      // Debian's docker.io has no buildx plugin (the same machine CI runs on).
      expect(codes).toEqual([
        'EDOCKERFILEMISSING',
        'EDOCKERSECRET',
        'EPATHOUTSIDEREPO',
        'EPATHOUTSIDEREPO',
        'EPLATFORMSUNSUPPORTED',
      ]);
    } finally {
      await rm(path.join(repo.dir, 'escape'));
    }
  });

  it('says how to start the daemon when it does not answer (EDOCKERUNAVAILABLE)', async () => {
    const r = release(
      repo,
      gitHead,
      { version: '9.9.9', env: env({ DOCKER_HOST: `unix://${runTmp}/no-daemon.sock` }) },
      { image: image() },
    );
    const errors = await dockerKind.check!(r.config, r.ctx);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['EDOCKERUNAVAILABLE']);
    expect(errors[0]!.message).toMatch(/Start it/);
  });
});
