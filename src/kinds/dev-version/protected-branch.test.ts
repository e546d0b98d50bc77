/**
 * The devVersion push check against the GitHub stand-in over real HTTP: which answers refuse with
 * EBRANCHPROTECTED, which pass, which only warn, and when GitHub is not asked at all.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isStackError } from '../../errors.js';
import type { StepContext } from '../../kind.js';
import { fakeStepContext, recordingLogger, type RecordingLogger } from '../../../test/helpers/contexts.js';
import {
  GitHubStandin,
  type StartedStandin,
  type StandinRuleset,
} from '../../../test/helpers/github-standin.js';
import { StackOctokit } from '../../github/client.js';
import { freePort } from '../../../test/helpers/registry.js';
import { resolveDevVersionConfig, type DevVersionConfig } from './config.js';
import { checkDevVersionPush } from './protected-branch.js';

const standin = new GitHubStandin({ repos: ['acme/demo'] });
let started: StartedStandin;
let logger: RecordingLogger;
const config = resolveDevVersionConfig({}).config as DevVersionConfig;
// One attempt, no waits: the 5xx and network cases must not sit through Octokit's backoff, nor the
// GraphQL POST through its write spacing (src/github/client.test.ts checks both).
const noRetry = {
  Octokit: StackOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
};
const GITHUB_PLUGIN = ['@semantic-release/github', { failComment: false }];

beforeAll(async () => {
  started = await standin.start();
});
afterAll(async () => {
  await started?.stop();
});
beforeEach(() => {
  logger = recordingLogger();
  standin.requests.length = 0;
  standin.graphqlQueries.length = 0;
  for (const branch of Object.keys(standin.branchProtection)) delete standin.branchProtection[branch];
  standin.rulesets.length = 0;
});

function context(
  overrides: {
    env?: Record<string, string | undefined>;
    plugins?: unknown[];
    branch?: { name: string; type: 'release' | 'maintenance' | 'prerelease'; prerelease?: string };
  } = {},
): StepContext {
  const ctx = fakeStepContext({
    root: process.cwd(),
    logger,
    repositoryUrl: `${started.url}/acme/demo.git`,
    env: overrides.env ?? { GITHUB_TOKEN: standin.token, GITHUB_API_URL: started.apiUrl },
    ...(overrides.branch ? { branch: overrides.branch } : {}),
  });
  ctx.options.plugins = overrides.plugins ?? ['@semantic-release/commit-analyzer', GITHUB_PLUGIN];
  return ctx;
}

const ruleset = (over: Partial<StandinRuleset> = {}): StandinRuleset => ({
  id: 42,
  name: 'main needs review',
  include: ['~DEFAULT_BRANCH'],
  rules: [{ type: 'deletion' }, { type: 'pull_request', parameters: { required_approving_review_count: 1 } }],
  currentUserCanBypass: 'never',
  ...over,
});

async function refusal(ctx = context()) {
  const errors = await checkDevVersionPush(config, ctx, noRetry);
  expect(errors).toHaveLength(1);
  const [error] = errors;
  if (!isStackError(error)) throw new Error(`not a coded error: ${String(error)}`);
  expect(error.code).toBe('EBRANCHPROTECTED');
  return error;
}

const rulesetReads = () => standin.calls('GET', /\/rules\/branches\/|\/rulesets\//);

describe('devVersion push check (verifyConditions)', () => {
  it('passes an unprotected branch after asking both mechanisms', async () => {
    expect(await checkDevVersionPush(config, context(), noRetry)).toEqual([]);
    expect(standin.graphqlQueries.at(-1)?.variables).toEqual({
      owner: 'acme',
      name: 'demo',
      ref: 'refs/heads/main',
    });
    expect(standin.calls('GET', '/repos/acme/demo/rules/branches/main')).toHaveLength(1);
    expect(logger.text()).toContain('GitHub lets this token push the development version to main.');
    expect(logger.text()).not.toContain('warn:');
    // Read-only: the one POST is the GraphQL query.
    expect(standin.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(standin.writes()).toEqual([]);
  });

  it('passes classic protection that lets the token push', async () => {
    standin.branchProtection.main = { viewerCanPush: true };
    expect(await checkDevVersionPush(config, context(), noRetry)).toEqual([]);
  });

  it('refuses classic protection that does not let the token push', async () => {
    standin.branchProtection.main = { viewerCanPush: false };
    const error = await refusal();
    expect(error.message).toContain('`main` of acme/demo');
    expect(error.message).toContain('branch protection rule does not let this token push');
    expect(error.details).toContain('bypass');
    expect(error.details).toContain('"devVersion": false');
    expect(error.details).toContain('pull request');
    expect(`${error.message}${error.details}`).not.toContain(standin.token);
  });

  it('refuses a ruleset with a pull_request rule the token may not bypass, naming it', async () => {
    standin.rulesets.push(ruleset());
    const error = await refusal();
    expect(error.message).toContain(
      'ruleset "main needs review" (id 42, from acme/demo) requires pull_request',
    );
    expect(error.message).toContain('"never"');
    expect(error.message).not.toContain('deletion');
    expect(standin.calls('GET', '/repos/acme/demo/rulesets/42')).toHaveLength(1);
  });

  it.each(['pull_requests_only', undefined] as const)('refuses a bypass of %s', async (bypass) => {
    standin.rulesets.push(ruleset({ currentUserCanBypass: bypass }));
    const error = await refusal();
    expect(error.message).toContain(bypass ? `"${bypass}"` : 'does not say this token may bypass it');
  });

  it.each(['always', 'exempt'] as const)('passes a ruleset the token may bypass (%s)', async (bypass) => {
    standin.rulesets.push(ruleset({ currentUserCanBypass: bypass }));
    expect(await checkDevVersionPush(config, context(), noRetry)).toEqual([]);
    expect(logger.text()).toContain(`this token may bypass it (${bypass})`);
  });

  it('reports classic protection and every blocking ruleset in one error', async () => {
    standin.branchProtection.main = { viewerCanPush: false };
    standin.rulesets.push(
      ruleset(),
      ruleset({
        id: 7,
        name: 'org checks',
        sourceType: 'Organization',
        include: ['refs/heads/*'],
        rules: [{ type: 'required_status_checks' }, { type: 'required_signatures' }],
        currentUserCanBypass: 'pull_requests_only',
      }),
    );
    const error = await refusal();
    expect(error.message).toContain('branch protection rule');
    expect(error.message).toContain('"main needs review"');
    expect(error.message).toContain(
      '"org checks" (id 7, from acme) requires required_status_checks, required_signatures',
    );
  });

  it('passes rules that do not stop a fast-forward push (non_fast_forward, deletion)', async () => {
    standin.rulesets.push(ruleset({ rules: [{ type: 'non_fast_forward' }, { type: 'deletion' }] }));
    expect(await checkDevVersionPush(config, context(), noRetry)).toEqual([]);
    // No blocking rule: the ruleset itself is not even read.
    expect(standin.calls('GET', /\/rulesets\//)).toEqual([]);
  });

  it('ignores rulesets that are not active or do not cover the branch', async () => {
    standin.rulesets.push(
      ruleset({ id: 1, enforcement: 'evaluate' }),
      ruleset({ id: 2, include: ['refs/heads/release/*'] }),
      ruleset({ id: 3, include: ['~ALL'], exclude: ['refs/heads/main'] }),
    );
    expect(await checkDevVersionPush(config, context(), noRetry)).toEqual([]);
  });

  it('checks the release branch it runs on (maintenance branch with a slash)', async () => {
    standin.rulesets.push(ruleset({ include: ['refs/heads/release/*'] }));
    const ctx = context({ branch: { name: 'release/1.x', type: 'maintenance' } });
    const error = await refusal(ctx);
    expect(error.message).toContain('`release/1.x`');
    expect(standin.graphqlQueries.at(-1)?.variables).toMatchObject({ ref: 'refs/heads/release/1.x' });
  });

  it('skips a mechanism GitHub answers 404 or 403 for, with a warning', async () => {
    standin.rulesets.push(ruleset());
    standin.failNext(1, 404, (r) => r.path.includes('/rules/branches/'));
    standin.failNext(1, 403, (r) => r.path.endsWith('graphql'));
    expect(await checkDevVersionPush(config, context(), noRetry)).toEqual([]);
    const warnings = logger.lines.filter((l) => l.startsWith('warn:'));
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toMatch(/Skipped the check of the rulesets of acme\/demo: .*HTTP 404/);
    expect(warnings.join('\n')).toMatch(
      /Skipped the check of the classic branch protection of acme\/demo: .*HTTP 403/,
    );
    expect(logger.text()).not.toContain('GitHub lets this token push');
  });

  it('still refuses on the mechanism that answered when the other one is skipped', async () => {
    standin.branchProtection.main = { viewerCanPush: false };
    standin.failNext(1, 404, (r) => r.path.includes('/rules/branches/'));
    await refusal();
    expect(logger.text()).toContain('Skipped the check of the rulesets');
  });

  it('warns and does not refuse when GitHub fails (5xx, GraphQL error)', async () => {
    standin.rulesets.push(ruleset());
    standin.failNext(1, 502, (r) => r.path.includes('/rulesets/'));
    standin.failNext(1, 500, (r) => r.path.endsWith('graphql'));
    expect(await checkDevVersionPush(config, context(), noRetry)).toEqual([]);
    const warnings = logger.lines.filter((l) => l.startsWith('warn:')).join('\n');
    expect(warnings).toMatch(/Could not check the rulesets of acme\/demo: .*HTTP 502/);
    expect(warnings).toMatch(/Could not check the classic branch protection of acme\/demo: .*HTTP 500/);
    expect(warnings).toContain('may still be refused after the release');
  });

  it('warns and does not refuse when GitHub cannot be reached', async () => {
    const ctx = context({
      // A port nothing listens on (fetch refuses to even try port 9, `discard`).
      env: { GITHUB_TOKEN: standin.token, GITHUB_API_URL: `http://127.0.0.1:${await freePort()}/api/v3` },
    });
    expect(await checkDevVersionPush(config, ctx, noRetry)).toEqual([]);
    const warnings = logger.lines.filter((l) => l.startsWith('warn:'));
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toContain('Could not check the rulesets of acme/demo: connect ECONNREFUSED');
  });

  it('reports a proxy that cannot be reached as EPROXY, once, instead of warning', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const ctx = context({
      env: { GITHUB_TOKEN: standin.token, GITHUB_API_URL: started.apiUrl, HTTP_PROXY: dead },
    });
    const errors = await checkDevVersionPush(config, ctx, noRetry);
    expect(errors.map((e) => [(e as { code?: string }).code, e.message])).toEqual([
      ['EPROXY', expect.stringContaining(`The proxy ${dead} (from \`HTTP_PROXY\`)`)],
    ]);
    expect(logger.text()).not.toContain('warn:');
    expect(standin.requests).toEqual([]);
  });

  it('keeps the token out of warnings', async () => {
    const leaky = new GitHubStandin({ token: 'ghs_secret_value_123' });
    const server = await leaky.start();
    try {
      leaky.failNext(2, 500);
      const ctx = context({ env: { GITHUB_TOKEN: 'ghs_secret_value_123', GITHUB_API_URL: server.apiUrl } });
      expect(await checkDevVersionPush(config, ctx, noRetry)).toEqual([]);
      expect(logger.lines.filter((l) => l.startsWith('warn:'))).toHaveLength(2);
      expect(logger.text()).not.toContain('ghs_secret_value_123');
    } finally {
      await server.stop();
    }
  });

  it('finds GitHub the way @semantic-release/github does: its options over the global ones', async () => {
    standin.branchProtection.main = { viewerCanPush: false };
    const env = { GITHUB_TOKEN: standin.token };
    const own = context({ env, plugins: [['@semantic-release/github', { githubApiUrl: started.apiUrl }]] });
    expect((await checkDevVersionPush(config, own, noRetry))[0]).toMatchObject({ code: 'EBRANCHPROTECTED' });
    const global = context({ env });
    global.options.githubUrl = started.url;
    global.options.githubApiPathPrefix = '/api/v3';
    expect((await checkDevVersionPush(config, global, noRetry))[0]).toMatchObject({
      code: 'EBRANCHPROTECTED',
    });
    expect(standin.graphqlQueries).toHaveLength(2);
  });

  it('asks nothing without a token', async () => {
    standin.branchProtection.main = { viewerCanPush: false };
    const ctx = context({ env: { GITHUB_API_URL: started.apiUrl } });
    expect(await checkDevVersionPush(config, ctx, noRetry)).toEqual([]);
    expect(standin.requests).toEqual([]);
  });

  it('asks nothing when @semantic-release/github is not in the plugins', async () => {
    standin.branchProtection.main = { viewerCanPush: false };
    const ctx = context({ plugins: ['@semantic-release/commit-analyzer', '@semantic-release/git'] });
    expect(await checkDevVersionPush(config, ctx, noRetry)).toEqual([]);
    expect(standin.requests).toEqual([]);
  });

  it('asks nothing on a prerelease branch, where no development version is pushed', async () => {
    standin.branchProtection.beta = { viewerCanPush: false };
    const beta = { name: 'beta', type: 'prerelease', prerelease: 'beta' } as const;
    expect(await checkDevVersionPush(config, context({ branch: beta }), noRetry)).toEqual([]);
    expect(standin.requests).toEqual([]);
    // …unless the dev version follows prereleases too.
    const after = { ...config, afterPrerelease: true };
    expect((await checkDevVersionPush(after, context({ branch: beta }), noRetry))[0]).toMatchObject({
      code: 'EBRANCHPROTECTED',
    });
    expect(rulesetReads()).toHaveLength(1);
  });
});
