/**
 * RELIABILITY 26 — a dry run writes nothing. `semantic-release --dry-run` with every kind configured
 * (wheel built and published to a PyPI stand-in, docs, image pushed with credentials, chart pushed
 * to an OCI registry with a chart index branch, dev version, @semantic-release/git and /github) runs
 * every check, including the read-only credential checks against the real registry, and prints the
 * plan. Before and after: the work tree (every file's bytes), the git refs of the clone and of the
 * remote, the registry's repositories and tags, the GitHub stand-in's state (and that it got no
 * write request), the PyPI stand-in, ~/.docker (HOME is a temp dir) and the docker image store are
 * all the same.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ensureDocker } from '../helpers/docker.js';
import { commitAndPush, createRepo, isolatedGitEnv, type TestRepo } from '../helpers/git.js';
import { GitHubStandin, githubEnv, linkRepo, type StartedStandin } from '../helpers/github-standin.js';
import { PypiStandin } from '../helpers/pypi-standin.js';
import { listTags, startRegistry, type Registry } from '../helpers/registry.js';
import { runSemanticRelease } from '../helpers/semantic-release.js';
import { INSTALL_HINTS, SYSTEM_PYTHON, requirePythonModule } from '../helpers/tools.js';
import { execa } from 'execa';
import { PLUGIN, VERSION_FILES, listTree, requireDist, serviceFiles } from './support.js';

const USER = 'release-bot';
const PASSWORD = `dry-${Math.random().toString(36).slice(2)}`;
const PYPI_TOKEN = `pypi-dry-${Math.random().toString(36).slice(2)}`;
const IMAGE = 'acme/os-vim-driver';
const CHART_REPO = 'charts/os-vim-driver';

let registry: Registry;
let pypi: PypiStandin;
let github: GitHubStandin;
let started: StartedStandin;
let dockerHost: string;
let home: string;
let repo: TestRepo;

beforeAll(async () => {
  requireDist();
  await requirePythonModule('build', INSTALL_HINTS.build);
  await requirePythonModule('twine', INSTALL_HINTS.twine);
  ({ host: dockerHost } = await ensureDocker());
  registry = await startRegistry({ auth: { user: USER, password: PASSWORD } });
  pypi = new PypiStandin({ password: PYPI_TOKEN });
  await pypi.start();
  github = new GitHubStandin({ repos: ['acme/demo'] });
  started = await github.start();
  home = await mkdtemp(path.join(tmpdir(), 'srs-dry-home-'));
  // A user who already has a docker config: it must come out byte for byte the same.
  await mkdir(path.join(home, '.docker'));
  await writeFile(path.join(home, '.docker', 'config.json'), '{\n  "auths": {}\n}\n');
  repo = await createRepo({ files: await serviceFiles(), slug: 'acme/demo' });
});

afterAll(async () => {
  await registry?.stop();
  await pypi?.stop();
  await started?.stop();
  await repo?.cleanup();
  if (home) await rm(home, { recursive: true, force: true });
});

async function fileHashes(dir: string, skip: RegExp): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const file of await listTree(dir)) {
    if (skip.test(file)) continue;
    hashes[file] = createHash('sha256')
      .update(await readFile(path.join(dir, file)))
      .digest('hex');
  }
  return hashes;
}

async function refs(gitDir: string): Promise<string> {
  const { stdout } = await execa(
    'git',
    ['--git-dir', gitDir, 'for-each-ref', '--format=%(refname) %(objectname)'],
    {
      env: isolatedGitEnv(),
      extendEnv: false,
    },
  );
  return stdout;
}

async function catalog(): Promise<unknown> {
  const auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const response = await fetch(`${registry.url}/v2/_catalog`, { headers: { authorization: auth } });
  return response.json();
}

/** Everything a release could write, as one comparable value. */
async function snapshot() {
  // Only this release's image: the daemon is shared with test files running at the same time,
  // whose builds come and go while this test runs.
  const images = await docker([
    'image',
    'ls',
    '--all',
    '--no-trunc',
    '--format',
    '{{.Repository}}:{{.Tag}} {{.ID}}',
    '--filter',
    `reference=${registry.host}/${IMAGE}`,
  ]);
  return {
    workTree: await fileHashes(repo.dir, /^\.git\//),
    status: await repo.git(['status', '--porcelain', '--ignored']),
    localRefs: await refs(path.join(repo.dir, '.git')),
    remoteRefs: await refs(repo.remote),
    registry: {
      catalog: await catalog(),
      image: await listTags(registry, IMAGE, registry.auth),
      chart: await listTags(registry, CHART_REPO, registry.auth),
    },
    github: {
      releases: JSON.stringify(github.releases),
      assets: github.assets.length,
      issues: JSON.stringify(github.issues),
    },
    pypi: pypi.files.length,
    home: await fileHashes(home, /^$/),
    images: images.stdout.split('\n').filter(Boolean).sort(),
  };
}

describe('semantic-release --dry-run with every kind configured', () => {
  it('runs every check, prints the plan, and writes nothing anywhere', async () => {
    const repositoryUrl = linkRepo(repo, started);
    await commitAndPush(repo, 'feat: the first feature', { 'osvimdriver/feature.py': 'X = 1\n' });
    const config = {
      branches: ['main'],
      repositoryUrl,
      plugins: [
        '@semantic-release/commit-analyzer',
        '@semantic-release/release-notes-generator',
        ['@semantic-release/changelog', { changelogFile: 'CHANGELOG.md' }],
        [
          PLUGIN,
          {
            python: {
              versionFiles: ['osvimdriver/pkg_info.json'],
              interpreter: SYSTEM_PYTHON,
              isolation: false,
              publish: { repositoryUrl: pypi.uploadUrl },
            },
            docs: { dir: 'docs', name: 'os-vim-driver' },
            docker: { image: `${registry.host}/${IMAGE}` },
            helm: {
              chart: 'helm/os-vim-driver',
              imageTagKey: 'docker.version',
              oci: `oci://${registry.host}/charts`,
              index: true,
            },
            devVersion: true,
          },
        ],
        ['@semantic-release/git', { assets: [...VERSION_FILES, 'CHANGELOG.md'] }],
        [
          '@semantic-release/github',
          { assets: [{ path: 'release-artifacts/*.tgz' }], successComment: false, failComment: false },
        ],
      ],
    };
    const env = {
      ...githubEnv(github),
      DOCKER_HOST: dockerHost,
      HOME: home,
      DOCKER_REGISTRY_USER: USER,
      DOCKER_REGISTRY_PASSWORD: PASSWORD,
      PYPI_TOKEN,
    };
    // The config file the harness writes is there before the first snapshot (and rewritten as is).
    await appendFile(path.join(repo.dir, '.git/info/exclude'), '/.releaserc.json\n');
    await writeFile(path.join(repo.dir, '.releaserc.json'), `${JSON.stringify(config, null, 2)}\n`);
    const before = await snapshot();
    const githubWritesBefore = github.writes().length;
    const result = await runSemanticRelease(repo, { config, env, dryRun: true });
    expect(result.code, result.output).toBe(0);
    // The checks really ran (also against the registry) and the plan was printed.
    expect(result.output).toContain('Completed step "verifyConditions" of plugin "' + PLUGIN + '"');
    expect(result.output).toContain('Release plan for v1.0.0 (1.0.0) — dry run, nothing will be written:');
    expect(result.output).toContain('osvimdriver/pkg_info.json version: 0.1.0.dev0 → 1.0.0');
    expect(result.output).toContain(`push ${registry.host}/${IMAGE}:1.0.0`);
    expect(result.output).toContain('set the next development version 1.1.0.dev0');
    expect(result.output).toMatch(/Skip step "prepare" of plugin ".*dist\/index\.js" in dry-run mode/);

    const after = await snapshot();
    expect(after).toEqual(before);
    expect(github.writes().length).toBe(githubWritesBefore);
    // The one POST to the index is the credential check: an upload form without a file, which the
    // index authenticates and then refuses (400) — nothing is stored.
    const posts = pypi.requests.filter((r) => r.method !== 'GET');
    expect(posts.map((r) => [r.status, r.fields])).toEqual([
      [400, { ':action': ['file_upload'], protocol_version: ['1'] }],
    ]);
    expect(pypi.files).toEqual([]);
  });
});
