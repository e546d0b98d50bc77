/**
 * addChannel and re-runs with several images, against the real dockerd and TWO real registries
 * (htpasswd, a user each, credentials named per image): a release on `next` gets the `next` tag on
 * every image; adding it to the default channel moves `latest` on every image in its own registry,
 * building and pushing nothing; a second publish of the same release pushes nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerKind } from '../../../src/kinds/docker/index.js';
import { docker, ensureDocker } from '../../helpers/docker.js';
import type { TestRepo } from '../../helpers/git.js';
import { getManifest, listTags, startRegistry, type Registry } from '../../helpers/registry.js';
import { fakeReleaseContext, recordingLogger, type FakeContextInput } from '../../helpers/contexts.js';
import { dockerRepo, manifestPuts } from './fixture.js';

const A = { user: 'a-user', password: `a-${Math.random().toString(36).slice(2)}` };
const B = { user: 'b-user', password: `b-${Math.random().toString(36).slice(2)}` };

let first: Registry;
let second: Registry;
let dockerHost: string;
let repo: TestRepo;
let gitHead: string;
let home: string;

beforeAll(async () => {
  ({ host: dockerHost } = await ensureDocker());
  [first, second] = await Promise.all([startRegistry({ auth: A }), startRegistry({ auth: B })]);
  repo = await dockerRepo({
    'docker/Dockerfile': 'FROM scratch\nCOPY hello.txt /hello.txt\n',
    'docker/hello.txt': `channel ${Math.random()}\n`,
    'worker/Dockerfile': 'FROM scratch\nCOPY job.txt /job.txt\n',
    'worker/job.txt': `worker ${Math.random()}\n`,
  });
  gitHead = await repo.git(['rev-parse', 'HEAD']);
  home = await mkdtemp(path.join(tmpdir(), 'srs-images-channel-home-'));
});

afterAll(async () => {
  const names = [`${first.host}/acme/app`, `${first.host}/acme/worker`, `${second.host}/mirror/app`];
  await docker(['image', 'rm', '--no-prune', ...names.flatMap((n) => [`${n}:2.0.0`, `${n}:next`])], {
    reject: false,
  });
  await Promise.all([first?.stop(), second?.stop()]);
  await repo?.cleanup();
  await rm(home, { recursive: true, force: true });
});

const options = () => [
  { image: `${first.host}/acme/app`, wheelsDir: false, credentials: { user: 'A_USER', password: 'A_PASS' } },
  {
    image: `${first.host}/acme/worker`,
    context: 'worker',
    wheelsDir: false,
    credentials: { user: 'A_USER', password: 'A_PASS' },
  },
  {
    image: `${second.host}/mirror/app`,
    wheelsDir: false,
    credentials: { user: 'B_USER', password: 'B_PASS' },
  },
];

function step(input: Omit<FakeContextInput, 'root'>) {
  const logger = recordingLogger();
  const ctx = fakeReleaseContext({
    root: repo.dir,
    gitHead,
    logger,
    version: '2.0.0',
    env: {
      DOCKER_HOST: dockerHost,
      HOME: home,
      A_USER: A.user,
      A_PASS: A.password,
      B_USER: B.user,
      B_PASS: B.password,
    },
    ...input,
  });
  const resolved = dockerKind.resolveConfig(options(), ctx);
  expect(resolved.errors).toEqual([]);
  return { ctx, logger, config: resolved.config! };
}

const next = { name: 'next', type: 'release', main: false } as const;
const main = { name: 'main', type: 'release', main: true } as const;
const digest = async (registry: Registry, repository: string, tag: string) =>
  (await getManifest(registry, repository, tag, { auth: registry.auth })).digest;

describe('several images on channels', () => {
  it('pushes every image with the channel tag, then adds the release to the default channel on every registry', async () => {
    const onNext = step({ branch: next, channel: 'next', releasedVersions: ['1.0.0'] });
    expect(await dockerKind.check!(onNext.config, onNext.ctx)).toEqual([]);
    await dockerKind.prepare!(onNext.config, onNext.ctx, { artifacts: [] } as never);
    expect(onNext.logger.lines.filter((l) => l.includes('Building '))).toHaveLength(2);
    const published = await dockerKind.publish!(onNext.config, onNext.ctx, { artifacts: [] } as never);
    expect(published.outcomes.map((o) => `${o.status} ${o.what}`)).toEqual([
      `published ${first.host}/acme/app:2.0.0`,
      `published ${first.host}/acme/app:next`,
      `published ${first.host}/acme/worker:2.0.0`,
      `published ${first.host}/acme/worker:next`,
      `published ${second.host}/mirror/app:2.0.0`,
      `published ${second.host}/mirror/app:next`,
    ]);
    expect(published.artifacts.map((a) => a.name)).toEqual([
      `${first.host}/acme/app`,
      `${first.host}/acme/worker`,
      `${second.host}/mirror/app`,
    ]);
    expect(published.release?.name).toBe(
      `Docker images ${first.host}/acme/app:2.0.0, ${first.host}/acme/worker:2.0.0, ${second.host}/mirror/app:2.0.0`,
    );

    // The same release published again: every tag already there, nothing pushed.
    const putsBefore = [...(await manifestPuts(first)), ...(await manifestPuts(second))];
    const again = await dockerKind.publish!(onNext.config, onNext.ctx, { artifacts: [] } as never);
    expect(again.outcomes.every((o) => o.status === 'already-there')).toBe(true);
    expect([...(await manifestPuts(first)), ...(await manifestPuts(second))]).toEqual(putsBefore);

    const toMain = step({
      branch: main,
      releasedVersions: [{ version: '2.0.0', channels: ['next'] }, '1.0.0'],
    });
    const added = await dockerKind.addChannel!(toMain.config, toMain.ctx);
    expect(added.outcomes.map((o) => `${o.status} ${o.what}`)).toEqual([
      `published ${first.host}/acme/app:latest`,
      `published ${first.host}/acme/worker:latest`,
      `published ${second.host}/mirror/app:latest`,
    ]);
    expect(toMain.logger.lines.filter((l) => l.includes('Building '))).toEqual([]);
    for (const [registry, repository] of [
      [first, 'acme/app'],
      [first, 'acme/worker'],
      [second, 'mirror/app'],
    ] as const) {
      expect((await listTags(registry, repository, registry.auth)).sort()).toEqual([
        '2.0.0',
        'latest',
        'next',
      ]);
      expect(await digest(registry, repository, 'latest')).toBe(await digest(registry, repository, '2.0.0'));
    }
  });
});
