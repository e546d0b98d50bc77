/**
 * The example released through the REAL semantic-release CLI behind a real proxy (tinyproxy, with
 * its own access log): HTTP_PROXY and HTTPS_PROXY set, every registry, index and GitHub request the
 * stack makes goes through it — the registry API (image checks, floating tags, the chart push), the
 * package index (credential check, files look-up, twine's upload) and the GitHub stand-in (the
 * devVersion check; @semantic-release/github tunnels its own). `docker push` is dockerd's, with
 * dockerd's own proxy settings, and is not checked here. Then NO_PROXY sends a host past the proxy,
 * and a proxy that is down stops verifyConditions with EPROXY naming it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDocker } from '../helpers/docker.js';
import { commitAndPush, createRepo, type TestRepo } from '../helpers/git.js';
import { GitHubStandin, githubEnv, linkRepo } from '../helpers/github-standin.js';
import { startProxy, type ProxyRequest, type StartedProxy } from '../helpers/proxy.js';
import { PypiStandin, type StartedPypi } from '../helpers/pypi-standin.js';
import { freePort, listTags, startRegistry, type Registry } from '../helpers/registry.js';
import { runSemanticRelease, type RunResult } from '../helpers/semantic-release.js';
import { INSTALL_HINTS, requirePythonModule } from '../helpers/tools.js';
import {
  DIST_PRESET,
  IMAGE_REPO,
  REGISTRY_AUTH,
  SLUG,
  exampleFiles,
  localConfig,
  requireBuild,
  type ReleaseConfig,
} from './example.js';

const PYPI_TOKEN = `pypi-proxy-${Math.random().toString(36).slice(2)}`;
const OUR_AGENT = /^semantic-release-stack\b/;

let repo: TestRepo;
let registry: Registry;
let standin: GitHubStandin;
let pypi: PypiStandin;
let index: StartedPypi;
let proxy: StartedProxy;
let config: ReleaseConfig;
let env: Record<string, string>;
let home: string;

beforeAll(async () => {
  requireBuild();
  await requirePythonModule('twine', INSTALL_HINTS.twine);
  const { host } = await ensureDocker();
  registry = await startRegistry({ auth: REGISTRY_AUTH });
  standin = new GitHubStandin({ repos: [SLUG] });
  await standin.start();
  pypi = new PypiStandin({ password: PYPI_TOKEN });
  index = await pypi.start();
  proxy = await startProxy();
  repo = await createRepo({ files: await exampleFiles(), slug: SLUG });
  const local = await localConfig({ registry, repositoryUrl: linkRepo(repo, standin), extends: DIST_PRESET });
  config = {
    ...local,
    python: { ...local.python, publish: { repositoryUrl: index.uploadUrl } },
    helm: { ...(local.helm as Record<string, unknown>), oci: `oci://${registry.host}/charts` },
  };
  home = await mkdtemp(path.join(tmpdir(), 'srs-e2e-proxy-home-'));
  env = {
    ...githubEnv(standin),
    DOCKER_HOST: host,
    DOCKER_REGISTRY_USER: REGISTRY_AUTH.user,
    DOCKER_REGISTRY_PASSWORD: REGISTRY_AUTH.password,
    PYPI_TOKEN,
    HOME: home,
    HTTP_PROXY: proxy.url,
    HTTPS_PROXY: proxy.url,
  };
});

afterAll(async () => {
  await Promise.all([standin?.stop(), index?.stop(), registry?.stop(), proxy?.stop()]);
  await repo?.cleanup();
  if (home) await rm(home, { recursive: true, force: true });
});

/** `METHOD URL` of each forwarded request the proxy logged (CONNECT tunnels left out). */
const forwarded = (requests: ProxyRequest[]) =>
  requests.filter((r) => r.method !== 'CONNECT').map((r) => `${r.method} ${r.target}`);

/** Every line of `expected` in `actual`, as many times as it occurs (a multiset inclusion). */
function expectAllIn(expected: string[], actual: string[]) {
  const left = [...actual];
  const missing = expected.filter((line) => {
    const at = left.indexOf(line);
    if (at === -1) return true;
    left.splice(at, 1);
    return false;
  });
  expect(missing, `not in the proxy's log:\n${missing.join('\n')}`).toEqual([]);
}

/** The registry's own access log: method, URI and user agent of each request it served. */
async function registryRequests(): Promise<Array<{ line: string; agent: string }>> {
  const log = await readFile(path.join(registry.dir, 'registry.log'), 'utf8');
  return [
    ...log.matchAll(/"(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+) HTTP\/1\.1" \d+ \d+ "[^"]*" "([^"]*)"/g),
  ].map((m) => ({ line: `${m[1]} ${registry.url}${m[2]}`, agent: m[3]! }));
}

const agentOf = (headers: Record<string, unknown>) => String(headers['user-agent'] ?? '');

async function release(extra: Record<string, string | undefined> = {}, dryRun = false): Promise<RunResult> {
  return runSemanticRelease(repo, { config, env: { ...env, ...extra }, dryRun });
}

describe.sequential('a release behind a proxy', { timeout: 300_000 }, () => {
  it('sends every registry, index and GitHub request of the stack through HTTP_PROXY/HTTPS_PROXY', async () => {
    await commitAndPush(repo, 'feat: manage networks on OpenStack', { 'osvimdriver/networks.py': '' });
    const result = await release();
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toMatch(/Secret-e2e-pa55|EPROXY/);
    expect((await listTags(registry, IMAGE_REPO, registry.auth)).sort()).toEqual(['1.0.0', 'latest']);
    expect(await listTags(registry, 'charts/os-vim-driver', registry.auth)).toEqual(['1.0.0']);
    expect(pypi.filesOf('os-vim-driver', '1.0.0').map((f) => f.filename)).toEqual([
      'os_vim_driver-1.0.0-py3-none-any.whl',
      'os-vim-driver-1.0.0.tar.gz',
    ]);

    const logged = await proxy.requests();
    const through = forwarded(logged);

    // The registry API: every request of ours (image checks, floating tag, chart push) went through
    // the proxy; dockerd's push did not (its user agent is docker's).
    const ours = (await registryRequests()).filter((r) => OUR_AGENT.test(r.agent));
    expect(ours.map((r) => r.line)).toEqual(
      expect.arrayContaining([
        `GET ${registry.url}/v2/`,
        expect.stringMatching(/^PUT .*\/v2\/charts\/os-vim-driver\/manifests\/1\.0\.0$/),
        expect.stringMatching(/^PUT .*\/v2\/accanto\/os-vim-driver\/manifests\/latest$/),
      ]),
    );
    expectAllIn(
      ours.map((r) => r.line),
      through,
    );

    // The package index: the credential check and the look-up (ours), and twine's upload.
    expect(pypi.requests.map((r) => agentOf(r.headers))).toEqual(
      expect.arrayContaining([expect.stringMatching(OUR_AGENT), expect.stringMatching(/twine/)]),
    );
    expectAllIn(
      pypi.requests.map((r) => `${r.method} ${index.url}${r.url}`),
      through,
    );
    for (const r of pypi.requests) expect(r.headers.via, r.url).toContain('tinyproxy');

    // GitHub: the devVersion check forwarded (GraphQL and rulesets); @semantic-release/github's own
    // requests tunnelled, one CONNECT each.
    const ourGithub = standin.requests.filter((r) => OUR_AGENT.test(agentOf(r.headers)));
    expect(ourGithub.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['POST /api/graphql', 'GET /repos/accanto/os-vim-driver/rules/branches/main']),
    );
    expectAllIn(
      ourGithub.map((r) => `${r.method} ${standin.url}${r.url}`),
      through,
    );
    for (const r of ourGithub) expect(r.headers.via, r.url).toContain('tinyproxy');
    const theirs = standin.requests.filter((r) => /@semantic-release\/github/.test(agentOf(r.headers)));
    expect(theirs.length).toBeGreaterThan(0);
    const tunnels = logged.filter((r) => r.method === 'CONNECT' && r.target === new URL(standin.url).host);
    expect(tunnels.length).toBe(theirs.length);
  });

  it('reaches a host listed in NO_PROXY directly', async () => {
    const before = await proxy.requests();
    const registryBefore = (await registryRequests()).length;
    const standinBefore = standin.requests.length;
    const result = await release({ NO_PROXY: registry.host }, true);
    expect(result.code, result.output).toBe(0);
    const after = forwarded((await proxy.requests()).slice(before.length));
    const checked = (await registryRequests()).slice(registryBefore).filter((r) => OUR_AGENT.test(r.agent));
    // The dry run still asked the registry (read-only), straight and not through the proxy…
    expect(checked.map((r) => r.line)).toContain(`GET ${registry.url}/v2/`);
    expect(after.filter((line) => line.includes(registry.host))).toEqual([]);
    // …while GitHub and the index, not listed, still went through it.
    const ourGithub = standin.requests.slice(standinBefore).filter((r) => OUR_AGENT.test(agentOf(r.headers)));
    expect(ourGithub.length).toBeGreaterThan(0);
    expectAllIn(
      ourGithub.map((r) => `${r.method} ${standin.url}${r.url}`),
      after,
    );
    expect(after).toContain(`POST ${index.uploadUrl}`);
  });

  it('stops verifyConditions with EPROXY naming the proxy when it is down', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const registryBefore = (await registryRequests()).length;
    const result = await release({ HTTP_PROXY: dead, HTTPS_PROXY: dead }, true);
    expect(result.code).not.toBe(0);
    const reported = result.output.match(/✘ +EPROXY .*/g) ?? [];
    // The registry, the index and GitHub all failed on it: one error, naming the proxy.
    expect(reported).toEqual([expect.stringContaining(`EPROXY The proxy ${dead} (from \`HTTP_PROXY\`)`)]);
    expect(result.output).toContain('ECONNREFUSED');
    expect(result.output).not.toMatch(/EDOCKERREGISTRY|EPYPIAUTH|EBRANCHPROTECTED/);
    expect(result.output).not.toContain(`The registry ${registry.host}`);
    expect((await registryRequests()).length).toBe(registryBefore);
  });
});
