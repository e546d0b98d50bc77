/**
 * Labels with the docker builder against the suite's dockerd (legacy builder: Debian's 20.10 daemon,
 * no buildx). Every `--label` flag is a LABEL step of its own there (a container created and
 * committed, about a second each on vfs); the builder appends one LABEL instruction instead, on a
 * Dockerfile passed with `--file -`, and must leave the image otherwise as it was.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerKind } from '../../../src/kinds/docker/index.js';
import { docker, DOCKER_HOST, ensureDocker } from '../../helpers/docker.js';
import { builtWheel, dockerRepo, release, tarFiles } from './fixture.js';

const IMAGE = `srs-labels-${process.pid}/app`;
const TRICKY = `say "hi" \\ to $HOME and \\$Y, 'single' \`tick\`  two  spaces, tab\there, ü € {version}`;
const OCI = [
  'org.opencontainers.image.created',
  'org.opencontainers.image.revision',
  'org.opencontainers.image.source',
  'org.opencontainers.image.version',
];

let host: string;
let home: string;
let dockerCli: string;
const built: string[] = [];

beforeAll(async () => {
  ({ host, docker: dockerCli } = await ensureDocker());
  home = await mkdtemp(path.join(tmpdir(), 'srs-docker-labels-'));
});

afterAll(async () => {
  // --no-prune: the parent layers may be the build cache of another test's build running meanwhile
  // on the shared daemon; removing them made those builds fail with "unable to find image".
  if (built.length) await docker(['image', 'rm', '--force', '--no-prune', ...built], { reject: false });
  await rm(home, { recursive: true, force: true });
});

interface Built {
  labels: Record<string, string>;
  /** `docker history` CREATED BY of the image, newest first. */
  history: string[];
  files: Map<string, Buffer>;
  log: string;
}

/** Runs the docker kind's prepare (no push) on a repository with these files in `docker/`. */
async function prepare(
  version: string,
  files: Record<string, string>,
  options: Record<string, unknown> = {},
): Promise<Built> {
  const repo = await dockerRepo(
    Object.fromEntries(Object.entries(files).map(([k, v]) => [`docker/${k}`, v])),
  );
  try {
    const gitHead = await repo.git(['rev-parse', 'HEAD']);
    const manifest = await builtWheel(repo.dir, version, gitHead);
    const r = release(
      repo,
      gitHead,
      {
        version,
        env: { DOCKER_HOST: host, HOME: home, SOURCE_DATE_EPOCH: '1700000000' },
        repositoryUrl: 'git@github.com:acme/app.git',
      },
      { image: IMAGE, push: false, floatingTags: [], ...options },
    );
    await dockerKind.prepare!(r.config, r.ctx, manifest);
    const ref = `${IMAGE}:${version}`;
    built.push(ref);
    const labels = JSON.parse(
      (await docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', ref])).stdout,
    ) as Record<string, string>;
    const history = (await docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', ref])).stdout.split(
      '\n',
    );
    return { labels, history, files: await imageFiles(ref), log: r.logger.text() };
  } finally {
    await repo.cleanup();
  }
}

/** Every file of the image's filesystem (`docker export` of a container that never runs). */
async function imageFiles(ref: string): Promise<Map<string, Buffer>> {
  const id = (await docker(['create', ref, 'none'])).stdout.trim();
  try {
    const tar = await execa(dockerCli, ['export', id], { env: { DOCKER_HOST }, encoding: 'buffer' });
    return new Map(
      [...tarFiles(Buffer.from(tar.stdout))].filter(
        ([name]) => !/^(?:\.dockerenv$|(?:dev|etc|proc|sys)\/)/.test(name),
      ),
    );
  } finally {
    await docker(['rm', id]);
  }
}

const labelSteps = (history: string[]) => history.filter((line) => /#\(nop\)\s+LABEL /.test(line));

describe('docker builder labels', () => {
  it('sets every label in ONE LABEL step, values exactly as given', async () => {
    const result = await prepare(
      '1.4.0',
      {},
      { labels: { 'com.example.tricky': TRICKY, 'com.example.empty': '' } },
    );
    expect(result.labels).toEqual({
      'org.opencontainers.image.version': '1.4.0',
      'org.opencontainers.image.revision': expect.stringMatching(/^[0-9a-f]{40}$/),
      'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
      'org.opencontainers.image.source': 'https://github.com/acme/app',
      'com.example.tricky': TRICKY.replace('{version}', '1.4.0'),
      'com.example.empty': '',
    });
    expect(labelSteps(result.history)).toHaveLength(1);
    // FROM scratch + COPY + the one LABEL: nothing else was added.
    expect(result.history).toHaveLength(2);
    expect([...result.files.keys()].sort()).toEqual(['whls/.gitkeep', 'whls/app-1.4.0-py3-none-any.whl']);
  });

  it('was one step per label with --label flags (what the release did before)', async () => {
    // A `.dockerignore` that does not exclude itself keeps the flags (see the next test).
    const result = await prepare('1.4.1', { '.dockerignore': 'nothing-to-ignore\n' });
    expect(Object.keys(result.labels).sort()).toEqual(OCI);
    expect(labelSteps(result.history)).toHaveLength(4);
  });

  it('keeps `.dockerignore` in force, and puts neither the stdin Dockerfile nor a changed `.dockerignore` in the image', async () => {
    const files = {
      Dockerfile: 'FROM scratch\nCOPY . /app/\n',
      'secret.txt': 'must not be copied',
      'app.txt': 'app',
    };
    const selfExcluding = await prepare('1.5.0', {
      ...files,
      '.dockerignore': 'secret.txt\n.dockerignore\n',
    });
    expect(labelSteps(selfExcluding.history)).toHaveLength(1);
    expect([...selfExcluding.files.keys()].sort()).toEqual([
      'app/Dockerfile',
      'app/app.txt',
      'app/whls/.gitkeep',
      'app/whls/app-1.5.0-py3-none-any.whl',
    ]);

    // The CLI would add the stdin Dockerfile's name to this `.dockerignore`, and COPY would take it.
    const keptInImage = await prepare('1.5.1', { ...files, '.dockerignore': 'secret.txt\n' });
    expect(labelSteps(keptInImage.history)).toHaveLength(4);
    expect(keptInImage.files.get('app/.dockerignore')?.toString()).toBe('secret.txt\n');
    expect(keptInImage.files.has('app/secret.txt')).toBe(false);
    expect(Object.keys(keptInImage.labels).sort()).toEqual(OCI);

    const noIgnoreFile = await prepare('1.5.2', { Dockerfile: files.Dockerfile, 'app.txt': 'app' });
    expect(labelSteps(noIgnoreFile.history)).toHaveLength(1);
    expect([...noIgnoreFile.files.keys()].sort()).toEqual([
      'app/Dockerfile',
      'app/app.txt',
      'app/whls/.gitkeep',
      'app/whls/app-1.5.2-py3-none-any.whl',
    ]);
  });

  it.each([
    ['a final line continuation, no final newline', 'FROM scratch\nCOPY whls/ \\\n  /whls/ \\'],
    [
      '# escape=` and # syntax=, CRLF',
      '# syntax=docker/dockerfile:1\r\n# escape=`\r\nFROM scratch\r\nCOPY whls/ `\r\n /whls/ `\r\n',
    ],
    [
      'several stages (labels go on the last)',
      'FROM scratch AS w\nCOPY whls/ /w/\nFROM scratch\nCOPY --from=w /w/ /whls/\n',
    ],
    ['ARG and ENV in scope of the labels', 'FROM scratch\nARG Y=arg\nENV HOME=/root\nCOPY whls/ /whls/\n'],
  ])('builds a Dockerfile with %s', async (_, dockerfile) => {
    const version = `2.0.${Math.floor(Math.random() * 1e6)}`;
    const result = await prepare(
      version,
      { Dockerfile: dockerfile },
      { labels: { 'com.example.tricky': TRICKY } },
    );
    expect(labelSteps(result.history)).toHaveLength(1);
    expect(result.labels['com.example.tricky']).toBe(TRICKY.replace('{version}', version));
    expect(result.labels['org.opencontainers.image.version']).toBe(version);
    expect([...result.files.keys()].sort()).toEqual([
      'whls/.gitkeep',
      `whls/app-${version}-py3-none-any.whl`,
    ]);
  });

  it('passes a label with a line break as a flag, the others in one step', async () => {
    const result = await prepare('3.0.0', {}, { labels: { 'com.example.multiline': 'line one\nline two' } });
    expect(result.labels['com.example.multiline']).toBe('line one\nline two');
    expect(Object.keys(result.labels)).toHaveLength(5);
    expect(labelSteps(result.history)).toHaveLength(2);
  });

  it.each([
    ['.*\n', true],
    ['*\n!app.txt\n!whls\n!Dockerfile\n', true],
    ['**/.dockerignore\n', true],
    ['*\n!.docker*\n', false],
  ])('agrees with the daemon on whether `.dockerignore` %j excludes itself', async (ignore, excluded) => {
    const version = `4.0.${Math.floor(Math.random() * 1e6)}`;
    const result = await prepare(version, {
      Dockerfile: 'FROM scratch\nCOPY . /app/\n',
      'app.txt': 'app',
      '.dockerignore': ignore,
    });
    expect(labelSteps(result.history)).toHaveLength(excluded ? 1 : 4);
    expect(result.files.has('app/.dockerignore')).toBe(!excluded);
    expect([...result.files.keys()].some((name) => name.includes('.dockerfile.'))).toBe(false);
  });
});
