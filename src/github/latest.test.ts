import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../test/helpers/contexts.js';
import { GitHubStandin, githubEnv, githubPlugin } from '../../test/helpers/github-standin.js';
import type { SrContext } from '../core/context.js';
import { createHttpClient } from '../core/http.js';
import { githubClient, StackOctokit } from './client.js';
import { keepLatest, latestByRule } from './latest.js';

const Unthrottled = StackOctokit.defaults({ throttle: { enabled: false } });

let github: GitHubStandin;

beforeAll(async () => {
  github = new GitHubStandin({ repos: ['acme/app'] });
  await github.start();
});

afterAll(async () => {
  await github?.stop();
});

type Tag = { version: string; channels: Array<string | null> };

/** The context semantic-release gives addChannel when it adds `version` to `branch`'s channel. */
function addChannelContext(
  version: string,
  branch: { name: string; type: string; channel?: string },
  tags: Tag[],
  extra: Partial<SrContext> = {},
): SrContext & { logger: ReturnType<typeof recordingLogger> } {
  return {
    cwd: '/repo',
    env: githubEnv(github),
    logger: recordingLogger(),
    options: { repositoryUrl: `${github.url}/acme/app.git`, plugins: [githubPlugin()] },
    branch: { ...branch, main: branch.type === 'release' && !branch.channel },
    branches: [{ tags: tags.map((t) => ({ ...t, gitTag: `v${t.version}` })) }],
    nextRelease: { version, gitTag: `v${version}`, gitHead: 'abc', channel: branch.channel ?? null },
    ...extra,
  } as SrContext & { logger: ReturnType<typeof recordingLogger> };
}

const maintenance = { name: '1.0.x', type: 'maintenance', channel: '1.0.x' };
const main = { name: 'main', type: 'release' };
const TAGS: Tag[] = [
  { version: '1.0.0', channels: [null] },
  { version: '1.1.0', channels: [null] },
  { version: '1.2.0-beta.1', channels: ['beta'] },
  { version: '2.0.0', channels: ['next'] },
];

describe('latestByRule', () => {
  it('names the highest release of the default channel, whatever is being added where', () => {
    expect(latestByRule(addChannelContext('1.0.0', maintenance, TAGS))).toEqual({
      version: '1.1.0',
      gitTag: 'v1.1.0',
    });
    // `next`'s 2.0.0 merged into main: added to the default channel, it becomes the latest.
    expect(latestByRule(addChannelContext('2.0.0', main, TAGS))?.version).toBe('2.0.0');
    expect(latestByRule(addChannelContext('1.0.0', maintenance, []))).toBeUndefined();
  });
});

describe('keepLatest (after @semantic-release/github’s addChannel)', () => {
  const client = () =>
    githubClient(Unthrottled, {
      apiUrl: github.apiUrl,
      token: github.token,
      http: createHttpClient({ env: {} }),
      logger: recordingLogger(),
    });
  const create = (tag: string, makeLatest = 'true') =>
    client().request('POST /repos/{owner}/{repo}/releases', {
      owner: 'acme',
      repo: 'app',
      tag_name: tag,
      name: tag,
      make_latest: makeLatest as 'true' | 'false',
    });

  beforeEach(() => {
    github.releases.length = 0;
    github.requests.length = 0;
  });

  it('puts Latest back on the highest default-channel release when addChannel took it', async () => {
    await create('v1.0.0');
    await create('v1.1.0');
    // What github 12.0.10's addChannel sends for 1.0.0 on a new maintenance branch: no make_latest.
    const old = github.releases.find((r) => r.tag_name === 'v1.0.0')!;
    await client().request('PATCH /repos/{owner}/{repo}/releases/{release_id}', {
      owner: 'acme',
      repo: 'app',
      release_id: old.id,
      name: 'v1.0.0',
      prerelease: false,
      tag_name: 'v1.0.0',
    });
    expect(github.latestRelease('acme', 'app')?.tag_name).toBe('v1.0.0');

    const context = addChannelContext('1.0.0', maintenance, TAGS);
    await keepLatest(context, Unthrottled);
    expect(github.latestRelease('acme', 'app')?.tag_name).toBe('v1.1.0');
    expect(github.writes().at(-1)?.json).toEqual({ make_latest: 'true' });
    expect(context.logger.lines.at(-1)).toMatch(
      /^log: Marked .*\/releases\/tag\/v1\.1\.0 Latest on GitHub again \(it was v1\.0\.0\)/,
    );

    // Already right: one read, no write.
    const writes = github.writes().length;
    await keepLatest(addChannelContext('1.0.0', maintenance, TAGS), Unthrottled);
    expect(github.writes()).toHaveLength(writes);
  });

  it('warns, never fails, when the release is missing or GitHub refuses', async () => {
    await create('v1.0.0');
    const missing = addChannelContext('1.0.0', maintenance, TAGS);
    await keepLatest(missing, Unthrottled);
    expect(missing.logger.lines).toEqual([
      'warn: GitHub has no release for v1.1.0, so it cannot be marked Latest.',
    ]);

    github.failNext(1, 403);
    const refused = addChannelContext('1.0.0', maintenance, TAGS);
    await keepLatest(refused, Unthrottled);
    expect(refused.logger.lines.at(-1)).toMatch(
      /^warn: Could not check which GitHub release is Latest \(.*HTTP 403/,
    );
    expect(refused.logger.lines.at(-1)).toContain('gh release edit v1.1.0 --latest');
    expect(refused.logger.lines.join('\n')).not.toContain(github.token);
  });

  it('does nothing without @semantic-release/github or a token, and writes nothing in a dry run', async () => {
    await create('v1.1.0', 'false');
    await create('v1.0.0');
    const noGithub = addChannelContext('1.0.0', maintenance, TAGS, {
      options: { repositoryUrl: `${github.url}/acme/app.git`, plugins: [] },
    });
    await keepLatest(noGithub, Unthrottled);
    const noToken = addChannelContext('1.0.0', maintenance, TAGS, { env: {} });
    await keepLatest(noToken, Unthrottled);
    expect(github.requests.filter((r) => r.method === 'GET')).toHaveLength(0);

    const dry = addChannelContext('1.0.0', maintenance, TAGS, {
      options: { repositoryUrl: `${github.url}/acme/app.git`, plugins: [githubPlugin()], dryRun: true },
    });
    const writes = github.writes().length;
    await keepLatest(dry, Unthrottled);
    expect(github.writes()).toHaveLength(writes);
    expect(dry.logger.lines.at(-1)).toMatch(/^log: Would mark .*v1\.1\.0 Latest on GitHub again$/);
  });
});
