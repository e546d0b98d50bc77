import { isStackError } from '../../errors.js';
import type { StackOctokitClass } from '../../github/client.js';
import { describeGithubError, githubStatus } from '../../github/errors.js';
import { stackError } from './errors.js';
import {
  classicProtection,
  mayBypass,
  pushRulesets,
  type BlockingRuleset,
  type BranchRef,
} from '../../github/push-rules.js';
import { effectiveGithubOptions, githubTarget } from '../../github/target.js';
import type { StepContext } from '../../kind.js';
import type { DevVersionConfig } from './config.js';

/**
 * verifyConditions of the devVersion kind: asks GitHub, read-only, whether the token may push the
 * development version commit to the release branch. semantic-release's own `git push --dry-run`
 * passes on a protected branch, so without this the refusal would only come in `success`, after the
 * release is out. Only a clear "no" from GitHub refuses (EBRANCHPROTECTED), and a proxy that cannot
 * carry the request (EPROXY: @semantic-release/github and the push would fail the same way); a read
 * that fails otherwise is a warning, because a flaky or restricted API must not hold back a release
 * that may well succeed.
 */

/**
 * The GitHub client, injected as @semantic-release/github injects its Octokit; by default the
 * stack's, loaded only when GitHub is asked (a release without @semantic-release/github never loads
 * Octokit; one with it has loaded the same copy already).
 */
export interface PushCheckOptions {
  Octokit?: StackOctokitClass;
  timeoutMs?: number;
}

type Read<T> = { ok: true; value: T } | { ok: false; proxy?: Error };

/** The dev version is pushed on release and maintenance branches, and after prereleases when asked. */
export function pushesDevVersion(config: DevVersionConfig, ctx: StepContext): boolean {
  return ctx.branch.kind !== 'prerelease' || config.afterPrerelease;
}

export async function checkDevVersionPush(
  config: DevVersionConfig,
  ctx: StepContext,
  { Octokit, timeoutMs = 30_000 }: PushCheckOptions = {},
): Promise<Error[]> {
  if (!pushesDevVersion(config, ctx)) return [];
  // Without @semantic-release/github the release does not talk to GitHub, and without a token that
  // plugin refuses the release itself: in both cases there is nobody to ask.
  const options = effectiveGithubOptions(ctx.options);
  if (!options) return [];
  const target = githubTarget(options, ctx.env, String(ctx.options.repositoryUrl ?? ''));
  if (!target?.token) return [];

  const github = await import('../../github/client.js');
  const client = github.githubClient(Octokit ?? github.StackOctokit, {
    apiUrl: target.apiUrl,
    token: target.token,
    http: ctx.http,
    logger: ctx.logger,
    timeoutMs,
  });
  const where: BranchRef = { owner: target.owner, repo: target.repo, branch: ctx.branch.name };
  const [classic, rulesets] = await Promise.all([
    readOrWarn(ctx, where, 'classic branch protection', () => classicProtection(client, where)),
    readOrWarn(ctx, where, 'rulesets', () => pushRulesets(client, where)),
  ]);

  const proxy = [classic, rulesets].flatMap((r) => (!r.ok && r.proxy ? [r.proxy] : []))[0];
  if (proxy) return [proxy];
  const reasons: string[] = [];
  if (classic.ok && classic.value?.viewerCanPush === false)
    reasons.push('its branch protection rule does not let this token push');
  for (const ruleset of rulesets.ok ? rulesets.value : []) {
    if (!mayBypass(ruleset.bypass)) reasons.push(rulesetReason(ruleset));
    else
      ctx.logger.log(
        'Ruleset "%s" would block the development version push to %s, but this token may bypass it (%s).',
        ruleset.name,
        where.branch,
        ruleset.bypass,
      );
  }
  if (reasons.length > 0)
    return [
      stackError('EBRANCHPROTECTED', {
        branch: where.branch,
        repository: `${where.owner}/${where.repo}`,
        reasons: reasons.join('; '),
      }),
    ];
  if (classic.ok && rulesets.ok)
    ctx.logger.log('GitHub lets this token push the development version to %s.', where.branch);
  return [];
}

function rulesetReason(ruleset: BlockingRuleset): string {
  const bypass = ruleset.bypass
    ? `this token's bypass is "${ruleset.bypass}"`
    : 'GitHub does not say this token may bypass it';
  return `ruleset "${ruleset.name}" (id ${ruleset.id}, from ${ruleset.source}) requires ${ruleset.ruleTypes.join(', ')} and ${bypass}`;
}

/** Runs one read; a failure becomes a warning saying what was not checked, never an error. */
async function readOrWarn<T>(
  ctx: StepContext,
  where: BranchRef,
  what: string,
  read: () => Promise<T>,
): Promise<Read<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    if (isStackError(error) && error.code === 'EPROXY') return { ok: false, proxy: error };
    const reason = ctx.redactor.redact(describeGithubError(error));
    const status = githubStatus(error);
    if (status === 403 || status === 404)
      ctx.logger.warn(
        'Skipped the check of the %s of %s/%s: GitHub does not show them to this token or does not have them (%s). The development version push to %s is not checked against them.',
        what,
        where.owner,
        where.repo,
        reason,
        where.branch,
      );
    else
      ctx.logger.warn(
        'Could not check the %s of %s/%s: %s. Continuing without it; the development version push to %s may still be refused after the release.',
        what,
        where.owner,
        where.repo,
        reason,
        where.branch,
      );
    return { ok: false };
  }
}
