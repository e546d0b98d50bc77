/**
 * RELIABILITY 23–25 — secrets. A full release through the real semantic-release CLI (wheel built and
 * uploaded to a PyPI stand-in, image pushed to a registry with htpasswd, GitHub release on the
 * stand-in, dev version pushed) while every process's argv (/proc/<pid>/cmdline) is sampled every few
 * milliseconds: no password or token may appear there, nor in the CLI's output, raw, URL-encoded,
 * base64 or as base64 of `user:password`. A failing variant (wrong registry password) masks them in
 * its errors, and a build arg that looks like a secret is refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDocker } from '../helpers/docker.js';
import { commitAndPush, createRepo, tagsOf, type TestRepo } from '../helpers/git.js';
import {
  GitHubStandin,
  githubEnv,
  linkRepo,
  type StartedStandin,
  githubPlugin,
} from '../helpers/github-standin.js';
import { GITHUB_ASSETS } from '../../src/preset.js';
import { PypiStandin } from '../helpers/pypi-standin.js';
import { listTags, startRegistry, type Registry } from '../helpers/registry.js';
import { runSemanticRelease } from '../helpers/semantic-release.js';
import { INSTALL_HINTS, requirePythonModule } from '../helpers/tools.js';
import { watchArgv } from '../kinds/docker/fixture.js';
import { VERSION_FILES, requireDist, serviceFiles, serviceRelease, SERVICE } from './support.js';

const rand = () => Math.random().toString(36).slice(2, 10);
const USER = 'release-bot';
// Characters that URL-encoding changes, so the encoded form is a form of its own.
const PASSWORD = `p@ss/w+rd ${rand()}`;
const WRONG_PASSWORD = `wr0ng/p@ss+${rand()}`;
const PYPI_TOKEN = `pypi-AgEI${rand()}+/${rand()}`;
const GITHUB_TOKEN = `ghs_${rand()}${rand()}`;

/** Every form a secret must never take in argv or output. */
function forms(secret: string, user?: string): string[] {
  const all = [
    secret,
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
  ];
  if (user) all.push(Buffer.from(`${user}:${secret}`).toString('base64'));
  return [...new Set(all)];
}

const SECRETS = [
  ...forms(PASSWORD, USER),
  ...forms(WRONG_PASSWORD, USER),
  ...forms(PYPI_TOKEN, '__token__'),
  ...forms(GITHUB_TOKEN, 'x-access-token'),
];

let registry: Registry;
let pypi: PypiStandin;
let github: GitHubStandin;
let started: StartedStandin;
let dockerHost: string;
let home: string;
const repos: TestRepo[] = [];

beforeAll(async () => {
  requireDist();
  await requirePythonModule('build', INSTALL_HINTS.build);
  await requirePythonModule('twine', INSTALL_HINTS.twine);
  ({ host: dockerHost } = await ensureDocker());
  registry = await startRegistry({ auth: { user: USER, password: PASSWORD } });
  pypi = new PypiStandin({ password: PYPI_TOKEN });
  await pypi.start();
  github = new GitHubStandin({ token: GITHUB_TOKEN, repos: ['acme/demo'] });
  started = await github.start();
  home = await mkdtemp(path.join(tmpdir(), 'srs-secrets-home-'));
});

afterAll(async () => {
  await registry?.stop();
  await pypi?.stop();
  await started?.stop();
  await Promise.all(repos.map((r) => r.cleanup()));
  if (home) await rm(home, { recursive: true, force: true });
});

const IMAGE = 'acme/os-vim-driver';

function releaseConfig(repositoryUrl: string, docker: Record<string, unknown> = {}) {
  return serviceRelease(
    repositoryUrl,
    {
      python: { ...SERVICE.python, publish: { repositoryUrl: pypi.uploadUrl } },
      docs: SERVICE.docs,
      docker: { image: `${registry.host}/${IMAGE}`, ...docker },
      helm: SERVICE.helm,
      devVersion: true,
    },
    { after: [['@semantic-release/git', { assets: VERSION_FILES }], githubPlugin(GITHUB_ASSETS)] },
  );
}

function env(password = PASSWORD): Record<string, string> {
  return {
    ...githubEnv(github),
    DOCKER_HOST: dockerHost,
    HOME: home,
    DOCKER_REGISTRY_USER: USER,
    DOCKER_REGISTRY_PASSWORD: password,
    PYPI_TOKEN,
  };
}

async function newRepo(): Promise<{ repo: TestRepo; repositoryUrl: string }> {
  const repo = await createRepo({ files: await serviceFiles(), slug: 'acme/demo' });
  repos.push(repo);
  const repositoryUrl = linkRepo(repo, started);
  await commitAndPush(repo, 'feat: the first feature', { 'osvimdriver/feature.py': 'X = 1\n' });
  return { repo, repositoryUrl };
}

function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRETS)
    expect(text.includes(secret), `${where} holds a form of a secret`).toBe(false);
}

describe('no secret in any argv, output or error', () => {
  it('a full release: wheel to PyPI, image to the registry, GitHub release, dev version', async () => {
    const { repo, repositoryUrl } = await newRepo();
    const watcher = watchArgv(SECRETS);
    const result = await runSemanticRelease(repo, { config: releaseConfig(repositoryUrl), env: env() });
    const leaks = await watcher.stop();
    expect(result.code, result.output).toBe(0);
    // The release really used every credential.
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
    expect((await listTags(registry, IMAGE, registry.auth)).sort()).toEqual(['1.0.0', 'latest']);
    expect(pypi.filesOf('os-vim-driver', '1.0.0').map((f) => f.filetype)).toEqual(['bdist_wheel', 'sdist']);
    expect(github.releases.map((r) => [r.tag_name, r.draft])).toEqual([['v1.0.0', false]]);
    expect(github.assets.map((a) => a.name)).toContain('os_vim_driver-1.0.0-py3-none-any.whl');
    expect(result.output).toContain('Set the development version 1.1.0.dev0 and pushed it to main.');
    expect(watcher.samples()).toBeGreaterThan(20);
    expect(leaks).toEqual([]);
    expectNoSecret(result.output, 'the output');
  });

  it('a wrong registry password: refused in verifyConditions, the error text masked', async () => {
    const { repo, repositoryUrl } = await newRepo();
    const watcher = watchArgv(SECRETS);
    const result = await runSemanticRelease(repo, {
      config: releaseConfig(repositoryUrl),
      env: env(WRONG_PASSWORD),
    });
    const leaks = await watcher.stop();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/✘ +EDOCKERAUTH The registry 127\.0\.0\.1:\d+ refused the credentials/);
    expect(leaks).toEqual([]);
    expectNoSecret(result.output, 'the output of the failed run');
    expect(await tagsOf(repo.remote)).toEqual([]);
  });

  it('refuses build args that hold a secret, by name or by value, without echoing it', async () => {
    const { repo, repositoryUrl } = await newRepo();
    const result = await runSemanticRelease(repo, {
      dryRun: true,
      config: releaseConfig(repositoryUrl, { buildArgs: { API_TOKEN: 'abc', NOTE: PASSWORD } }),
      env: env(),
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/✘ +EDOCKERSECRETARG Build arg `API_TOKEN` looks like a secret: its name/);
    expect(result.output).toMatch(/✘ +EDOCKERSECRETARG Build arg `NOTE` looks like a secret: its value/);
    expect(result.output).toContain('RUN --mount=type=secret');
    expectNoSecret(result.output, 'the output');
  });
});
