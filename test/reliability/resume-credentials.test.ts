/**
 * `publish --tag` reaches a remote that wants credentials the way semantic-release's own push did:
 * (1) through the repository's `http.<url>.extraheader` (where actions/checkout keeps CI's token),
 * (2) through the token semantic-release puts into the URL (`GIT_CREDENTIALS` here) when the
 * repository's configuration is not enough. The remote is a real git smart-HTTP server (Debian git's
 * git-http-backend behind Basic auth, test/helpers/git-http.ts); the release fails in publish after
 * the tag (a test plugin), and `publish --tag` pushes the development version commit.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttp, type GitHttpServer } from '../helpers/git-http.js';
import { commitAndPush, createRepo, logOf, tagsOf, type TestRepo } from '../helpers/git.js';
import { withArgvSamples } from '../helpers/processes.js';
import { runSemanticRelease, semanticReleaseEnv } from '../helpers/semantic-release.js';

import {
  FIXTURE_PLUGINS,
  runCli,
  serviceFiles,
  serviceRelease,
  SERVICE,
  requireServiceBuild,
} from './support.js';

const TOKEN = `ghs_${Math.random().toString(36).slice(2)}credentials`;

let server: GitHttpServer;
let scratch: string;
let repo: TestRepo;
let url: string;
let headerKey: string;

beforeAll(async () => {
  await requireServiceBuild();
  scratch = await mkdtemp(path.join(tmpdir(), 'srs-resume-credentials-'));
  repo = await createRepo({ files: await serviceFiles(), slug: 'acme/demo' });
  server = await startGitHttp({
    projectRoot: path.join(repo.root, 'remotes'),
    user: 'x-access-token',
    password: TOKEN,
  });
  url = `${server.url}/acme/demo.git`;
  headerKey = `http.${server.url}/.extraheader`;
  // What actions/checkout leaves in the repository's config.
  await repo.git(['config', headerKey, `AUTHORIZATION: ${server.authorization}`]);
  await repo.git(['remote', 'set-url', 'origin', url]);
});

afterAll(async () => {
  await server?.stop();
  await repo?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const config = () =>
  serviceRelease(
    url,
    { python: SERVICE.python, devVersion: true },
    {
      after: [
        ['@semantic-release/git', { assets: ['osvimdriver/pkg_info.json'] }],
        path.join(FIXTURE_PLUGINS, 'stall-publish.mjs'),
      ],
    },
  );

const env = (extra: Record<string, string> = {}) => semanticReleaseEnv(repo, { HOME: scratch, ...extra });
const unauthorized = () => server.requests.filter((r) => !r.authorized).length;
const secretForms = () => [TOKEN, server.authorization.slice('Basic '.length)];

describe('publish --tag reaches the remote with the credentials semantic-release used', () => {
  it("through the repository's http.<url>.extraheader", async () => {
    await commitAndPush(repo, 'feat: the first feature', { 'osvimdriver/feature.py': 'X = 1\n' });
    const failed = await runSemanticRelease(repo, { config: config(), env: env({ PUBLISH_FAILS: '1' }) });
    expect(failed.code, failed.output).not.toBe(0);
    expect(failed.output).toContain('this release fails in publish, on purpose');
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);

    const refusedBefore = unauthorized();
    const resumed = await runCli(['publish', '--tag', 'v1.0.0'], { cwd: repo.dir, env: env() });
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.stderr).toMatch(
      /Continuing the claim [0-9a-f]{40} the interrupted run pushed for v1\.0\.0/,
    );
    expect(resumed.stdout).toContain('published  the development version 1.1.0.dev0 on main');
    expect((await logOf(repo.remote, 'main'))[0]?.subject).toBe('chore(release): 1.1.0.dev0 [skip ci]');
    // Every request of the resume carried the repository's header: none was refused.
    expect(unauthorized()).toBe(refusedBefore);
    for (const secret of secretForms()) expect(resumed.output).not.toContain(secret);
  }, 300_000);

  it('through the token semantic-release puts into the URL (GIT_CREDENTIALS)', async () => {
    await repo.git(['config', '--unset', headerKey]);
    const header = ['-c', `http.extraheader=AUTHORIZATION: ${server.authorization}`];
    await repo.git([...header, 'pull', '--quiet', '--rebase', 'origin', 'main']);
    await writeFile(path.join(repo.dir, 'osvimdriver/second.py'), 'Y = 2\n');
    await repo.git(['add', '-A']);
    await repo.git(['commit', '--quiet', '-m', 'feat: the second feature']);
    await repo.git([...header, 'push', '--quiet', 'origin', 'main']);
    const credentials = { GIT_CREDENTIALS: `x-access-token:${TOKEN}` };
    const failed = await runSemanticRelease(repo, {
      config: config(),
      env: env({ ...credentials, PUBLISH_FAILS: '1' }),
    });
    expect(failed.code, failed.output).not.toBe(0);
    expect(await tagsOf(repo.remote), failed.output).toEqual(['v1.0.0', 'v1.1.0']);

    // Without the token the remote is out of reach: the record cannot even be read.
    const without = await runCli(['publish', '--tag', 'v1.1.0'], { cwd: repo.dir, env: env() });
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('ECOMMANDFAILED');
    expect(without.stderr).toContain(`git ls-remote ${url}`);

    const {
      result: resumed,
      argv,
      samples,
    } = await withArgvSamples(() =>
      runCli(['publish', '--tag', 'v1.1.0'], { cwd: repo.dir, env: env(credentials) }),
    );
    expect(resumed.code, resumed.output).toBe(0);
    // The token reached git through its environment only: no process's argv held it.
    expect(samples).toBeGreaterThan(10);
    for (const secret of secretForms()) expect(argv.filter((a) => a.includes(secret))).toEqual([]);
    expect(resumed.stdout).toContain('published  the development version 1.2.0.dev0 on main');
    expect((await logOf(repo.remote, 'main'))[0]?.subject).toBe('chore(release): 1.2.0.dev0 [skip ci]');
    for (const text of [without.output, resumed.output])
      for (const secret of secretForms()) expect(text).not.toContain(secret);
  }, 300_000);
});
