import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitAndPush, createRepo, tagsOf, type TestRepo } from '../helpers/git.js';
import { GitHubStandin, githubEnv, linkRepo, type StartedStandin } from '../helpers/github-standin.js';
import { runSemanticRelease } from '../helpers/semantic-release.js';

const ANALYZE = ['@semantic-release/commit-analyzer', '@semantic-release/release-notes-generator'];

describe('GitHub stand-in driven by the real semantic-release + @semantic-release/github', () => {
  let repo: TestRepo;
  let github: GitHubStandin;
  let started: StartedStandin;

  beforeEach(async () => {
    github = new GitHubStandin({ repos: ['acme/demo'] });
    started = await github.start();
    repo = await createRepo({ slug: 'acme/demo' });
  });

  afterEach(async () => {
    await started?.stop();
    await repo?.cleanup();
  });

  it('creates a release with one asset (draft → upload → publish); the stand-in holds the bytes', async () => {
    const repositoryUrl = linkRepo(repo, started);
    expect(repositoryUrl).toBe(`${started.url}/acme/demo.git`);
    await commitAndPush(repo, 'feat: something shiny');
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13, 0x1f, 0x8b]);
    await mkdir(join(repo.dir, 'dist'), { recursive: true });
    await writeFile(join(repo.dir, 'dist', 'app-1.0.0.tar.gz'), bytes);

    const result = await runSemanticRelease(repo, {
      config: {
        branches: ['main'],
        repositoryUrl,
        plugins: [
          ...ANALYZE,
          [
            '@semantic-release/github',
            {
              assets: [{ path: 'dist/*.tar.gz', label: 'App archive' }],
              successComment: false,
              failComment: false,
              releasedLabels: false,
            },
          ],
        ],
      },
      env: githubEnv(github),
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`Published GitHub release: ${started.url}/acme/demo/releases/tag/v1.0.0`);
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);

    expect(github.releases).toHaveLength(1);
    const [release] = github.releases;
    expect(release).toMatchObject({ tag_name: 'v1.0.0', name: 'v1.0.0', draft: false, prerelease: false });
    expect(release?.body).toContain('something shiny');
    expect(github.assets).toHaveLength(1);
    const [asset] = github.assets;
    expect(asset?.name).toBe('app-1.0.0.tar.gz');
    expect(asset?.label).toBe('App archive');
    // The plugin sets content-type from the extension with `mime` (.tar.gz → application/gzip;
    // .tgz and .whl are unknown to it → text/plain).
    expect(asset?.contentType).toBe('application/gzip');
    expect(asset?.data.equals(bytes)).toBe(true);

    // The wire: what the real Octokit sent.
    const sequence = github.requests.map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')} ${r.status}`);
    expect(sequence).toEqual([
      'GET /repos/acme/demo 200',
      'POST /repos/acme/demo/releases 201',
      `POST /api/uploads/repos/acme/demo/releases/${release?.id}/assets 201`,
      `PATCH /repos/acme/demo/releases/${release?.id} 200`,
      'GET /repos/acme/demo 200', // success: re-reads full_name even with comments off
    ]);
    const create = github.calls('POST', '/repos/acme/demo/releases')[0];
    expect(create?.json).toMatchObject({ tag_name: 'v1.0.0', target_commitish: 'main', draft: true });
    expect(create?.headers.authorization).toBe(`token ${github.token}`);
    expect(create?.url).toMatch(/^\/api\/v3\//);
    const upload = github.requests[2];
    expect(upload?.url).toMatch(/\?name=app-1\.0\.0\.tar\.gz&label=App%20archive$/);

    // The download URL serves the same bytes.
    const download = await fetch(`${started.url}/acme/demo/releases/download/v1.0.0/app-1.0.0.tar.gz`);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('supports the defaults: success runs the GraphQL queries and comments on referenced issues', async () => {
    const repositoryUrl = linkRepo(repo, started);
    await commitAndPush(repo, 'fix: crash on start\n\nCloses #7');
    const result = await runSemanticRelease(repo, {
      config: { branches: ['main'], repositoryUrl, plugins: [...ANALYZE, '@semantic-release/github'] },
      env: githubEnv(github),
    });
    expect(result.code, result.output).toBe(0);
    expect(github.releases[0]).toMatchObject({ tag_name: 'v1.0.0', draft: false });
    const gqlPaths = github.calls('POST', /graphql$/).map((r) => r.path);
    expect(gqlPaths.every((p) => p === '/api/graphql')).toBe(true);
    expect(github.graphqlQueries.map((q) => /query (\w+)/.exec(q.query)?.[1])).toEqual([
      'getAssociatedPRs',
      'getRelatedIssues',
      'getSRIssues',
    ]);
    const issue = github.issues.find((i) => i.number === 7);
    expect(issue?.comments[0]).toContain('This issue has been resolved in version 1.0.0');
    expect(issue?.labels).toEqual(['released']);
  });

  it('draftRelease keeps the release a draft and a dry run only verifies', async () => {
    const repositoryUrl = linkRepo(repo, started);
    await commitAndPush(repo, 'feat: drafty');
    const config = {
      branches: ['main'],
      repositoryUrl,
      plugins: [
        ...ANALYZE,
        ['@semantic-release/github', { draftRelease: true, successComment: false, failComment: false }],
      ],
    };
    const dry = await runSemanticRelease(repo, { config, dryRun: true, env: githubEnv(github) });
    expect(dry.code, dry.output).toBe(0);
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/acme/demo']);
    const result = await runSemanticRelease(repo, { config, env: githubEnv(github) });
    expect(result.code, result.output).toBe(0);
    expect(github.releases).toMatchObject([{ tag_name: 'v1.0.0', draft: true, published_at: null }]);
  });

  it('rejects a wrong token in verifyConditions (no tag pushed)', async () => {
    const repositoryUrl = linkRepo(repo, started);
    await commitAndPush(repo, 'feat: x');
    const plugins = [...ANALYZE, ['@semantic-release/github', { successComment: false, failComment: false }]];
    const bad = await runSemanticRelease(repo, {
      config: { branches: ['main'], repositoryUrl, plugins },
      env: { ...githubEnv(github), GITHUB_TOKEN: 'wrong-token' },
    });
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('EINVALIDGHTOKEN');
    expect(await tagsOf(repo.remote)).toEqual([]);
  });

  it('fails the publish step on server errors after Octokit retries (failNext)', async () => {
    const repositoryUrl = linkRepo(repo, started);
    await commitAndPush(repo, 'feat: y');
    github.failNext(10, 500, (r) => r.method === 'POST' && r.path === '/repos/acme/demo/releases');
    const result = await runSemanticRelease(repo, {
      config: {
        branches: ['main'],
        repositoryUrl,
        plugins: [...ANALYZE, ['@semantic-release/github', { successComment: false, failComment: false }]],
      },
      env: githubEnv(github),
    });
    expect(result.code).toBe(1);
    expect(github.calls('POST', '/repos/acme/demo/releases').length).toBe(4); // 1 + 3 retries
    expect(result.output).toContain('Failed step "publish" of plugin "@semantic-release/github"');
    expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']); // the tag was pushed before publish
  }, 60_000);

  it('fail step: silent with failComment false; with the defaults it opens a failure issue', async () => {
    const repositoryUrl = linkRepo(repo, started);
    await commitAndPush(repo, 'feat: z');
    // A local plugin whose prepare step throws a SemanticReleaseError-shaped error.
    await writeFile(
      join(repo.dir, 'boom.mjs'),
      "export async function prepare() { throw Object.assign(new Error('boom'), { semanticRelease: true, code: 'EBOOM', details: 'it blew up' }); }\n",
    );
    const run = (githubPlugin: unknown) =>
      runSemanticRelease(repo, {
        config: { branches: ['main'], repositoryUrl, plugins: [...ANALYZE, './boom.mjs', githubPlugin] },
        env: githubEnv(github),
      });

    const quiet = await run(['@semantic-release/github', { successComment: false, failComment: false }]);
    expect(quiet.code).toBe(1);
    expect(quiet.output).toContain('EBOOM');
    expect(quiet.output).toContain('Skip issue creation.');
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/acme/demo']);

    github.requests.length = 0;
    const defaults = await run('@semantic-release/github');
    expect(defaults.code).toBe(1);
    // github 12 looks for an open failure issue (GraphQL, owner and repo as strings), finds none and
    // opens one with the error (11.0.6 sent the labels as $owner, which GitHub rejects).
    expect(defaults.output).toContain('Created issue #');
    expect(github.graphqlQueries.at(-1)?.variables).toMatchObject({ owner: 'acme', repo: 'demo' });
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]!.title).toBe('The automated release is failing 🚨');
    expect(github.issues[0]!.body).toContain('boom');
  });
});

describe("GitHub stand-in: the Latest release, as GitHub's API documents make_latest", () => {
  let github: GitHubStandin;
  let started: StartedStandin;

  beforeEach(async () => {
    github = new GitHubStandin({ repos: ['acme/demo'] });
    started = await github.start();
  });

  afterEach(async () => {
    await started?.stop();
  });

  /** One REST call with undici's fetch, as any client sends it. */
  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${started.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `token ${github.token}`,
        accept: 'application/vnd.github+json',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }
  const create = async (tag: string, extra: Record<string, unknown> = {}) =>
    (await api('POST', '/repos/acme/demo/releases', { tag_name: tag, name: tag, ...extra })).json;
  const latestTag = async () => {
    const answer = await api('GET', '/repos/acme/demo/releases/latest');
    return answer.status === 200 ? answer.json.tag_name : answer.status;
  };

  it('makes a published release Latest unless told "false"; never a draft or a prerelease', async () => {
    expect(await latestTag()).toBe(404);
    await create('v1.0.0');
    expect(await latestTag()).toBe('v1.0.0');
    await create('v1.1.0', { make_latest: 'true' });
    expect(await latestTag()).toBe('v1.1.0');
    await create('v1.0.1', { make_latest: 'false' });
    await create('v2.0.0-beta.1', { prerelease: true });
    await create('v2.0.0-beta.2', { prerelease: true, make_latest: 'true' });
    await create('v3.0.0', { draft: true, make_latest: 'true' });
    expect(await latestTag()).toBe('v1.1.0');
    expect(github.latestRelease('ACME', 'demo')?.tag_name).toBe('v1.1.0');
  });

  it('applies the default to updates too: a PATCH without make_latest moves Latest, "false" does not', async () => {
    const old = await create('v1.0.0');
    const draft = await create('v1.1.0', { draft: true, make_latest: 'false' });
    expect(await latestTag()).toBe('v1.0.0');
    // Publishing the draft without make_latest: the default, "true".
    expect((await api('PATCH', `/repos/acme/demo/releases/${draft.id}`, { draft: false })).status).toBe(200);
    expect(await latestTag()).toBe('v1.1.0');
    // An update of the old release with make_latest "false" leaves Latest alone…
    await api('PATCH', `/repos/acme/demo/releases/${old.id}`, { name: 'renamed', make_latest: 'false' });
    expect(await latestTag()).toBe('v1.1.0');
    // …one without it (what @semantic-release/github 12's addChannel sends) moves Latest to it.
    await api('PATCH', `/repos/acme/demo/releases/${old.id}`, { name: 'v1.0.0', prerelease: false });
    expect(await latestTag()).toBe('v1.0.0');
    await api('PATCH', `/repos/acme/demo/releases/${draft.id}`, { make_latest: 'true' });
    expect(await latestTag()).toBe('v1.1.0');
    expect(github.releases.find((r) => r.tag_name === 'v1.1.0')?.make_latest).toBe('true');
  });

  it('"legacy", or a Latest that became a prerelease, falls back to the highest SemVer release', async () => {
    await create('v1.1.0');
    const newest = await create('v1.0.1', { make_latest: 'true' });
    expect(await latestTag()).toBe('v1.0.1');
    await api('PATCH', `/repos/acme/demo/releases/${newest.id}`, { make_latest: 'legacy' });
    expect(await latestTag()).toBe('v1.1.0');
    const pointed = await create('v0.9.0', { make_latest: 'true' });
    expect(await latestTag()).toBe('v0.9.0');
    await api('PATCH', `/repos/acme/demo/releases/${pointed.id}`, { prerelease: true, make_latest: 'false' });
    expect(await latestTag()).toBe('v1.1.0');
  });

  it('refuses a make_latest GitHub does not know (422) and changes nothing', async () => {
    const release = await create('v1.0.0');
    const refused = await api('POST', '/repos/acme/demo/releases', { tag_name: 'v2.0.0', make_latest: true });
    expect(refused.status).toBe(422);
    expect(refused.json.errors).toEqual([{ resource: 'Release', code: 'invalid', field: 'make_latest' }]);
    const patch = await api('PATCH', `/repos/acme/demo/releases/${release.id}`, { make_latest: 'yes' });
    expect(patch.status).toBe(422);
    expect(github.releases.map((r) => r.tag_name)).toEqual(['v1.0.0']);
  });

  it("answers with GitHub's release fields", async () => {
    const release = await create('v1.0.0', { body: 'notes', target_commitish: 'main' });
    const latest = (await api('GET', '/repos/acme/demo/releases/latest')).json;
    expect(latest).toEqual(release);
    expect(Object.keys(latest).sort()).toEqual(
      [
        'assets',
        'assets_url',
        'author',
        'body',
        'created_at',
        'draft',
        'html_url',
        'id',
        'name',
        'node_id',
        'prerelease',
        'published_at',
        'tag_name',
        'tarball_url',
        'target_commitish',
        'updated_at',
        'upload_url',
        'url',
        'zipball_url',
      ].sort(),
    );
    expect(latest).toMatchObject({
      tag_name: 'v1.0.0',
      draft: false,
      prerelease: false,
      html_url: `${started.url}/acme/demo/releases/tag/v1.0.0`,
      upload_url: `${started.url}/api/uploads/repos/acme/demo/releases/${release.id}/assets{?name,label}`,
    });
    expect(Date.parse(String(latest.published_at))).not.toBeNaN();
    expect((await api('GET', '/repos/acme/other/releases/latest')).status).toBe(404);
  });
});
