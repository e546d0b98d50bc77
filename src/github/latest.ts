import semver from 'semver';
import { branchInfo, type SrContext } from '../core/context.js';
import { createRedactor } from '../redact.js';
import { isLatest } from '../version.js';
import { createHttpClient } from '../core/http.js';
import { githubClient, StackOctokit, type StackOctokitClass } from './client.js';
import { effectiveGithubOptions, githubTarget } from './target.js';

/**
 * `semantic-release-stack/github-latest`, which the preset lists right after @semantic-release/github:
 * after that plugin's addChannel, GitHub's Latest release is the one the "latest" rule of the version
 * model names (the highest version released on the default channel), as it is after its publish.
 *
 * Why (read in @semantic-release/github 12.0.10, lib/): publish and its draft's PATCH send
 * `make_latest: "true"` only for the first release branch, `"false"` for maintenance, prerelease and
 * other release branches (is-latest-release.js), which is the rule. addChannel (add-channel.js)
 * PATCHes the release, or creates it when missing, with no `make_latest` at all, and GitHub's API
 * defaults that field to `true`. semantic-release calls addChannel on every new maintenance branch
 * (it adds the branch's base release, e.g. 1.0.0, to the channel `1.0.x`), so without this step the
 * first fix on `1.0.x` leaves 1.0.0 marked Latest over 1.1.0. The step asks which release is Latest and
 * sets it back only when it differs; it warns instead of failing, as the release itself is done.
 */
/** The release the rule names Latest once this run's release is on its channel: version and tag. */
export function latestByRule(context: SrContext): { version: string; gitTag: string } | undefined {
  const tags = (context.branches ?? []).flatMap((b) => b.tags ?? []);
  const onDefault = tags.filter(
    (t): t is { version: string; gitTag: string; channels?: Array<string | null> } =>
      typeof t.version === 'string' &&
      typeof t.gitTag === 'string' &&
      semver.valid(t.version) !== null &&
      !semver.prerelease(t.version) &&
      (!t.channels || t.channels.includes(null)),
  );
  const next = context.nextRelease;
  const candidates = onDefault.map((t) => ({ version: t.version, gitTag: t.gitTag }));
  if (
    next &&
    isLatest(
      { version: next.version, branch: branchInfo(context.branch).kind, channel: next.channel ?? undefined },
      candidates.map((c) => c.version),
    )
  )
    candidates.push({ version: next.version, gitTag: next.gitTag });
  return candidates.sort((a, b) => semver.rcompare(a.version, b.version))[0];
}

const statusOf = (error: unknown) => (error as { status?: unknown }).status;

export async function keepLatest(
  context: SrContext,
  Octokit: StackOctokitClass = StackOctokit,
): Promise<void> {
  const { logger } = context;
  const releaseOptions = context.options ?? {};
  const github = effectiveGithubOptions(releaseOptions);
  if (!github) return; // no @semantic-release/github: nothing marked anything Latest
  const target = githubTarget(github, context.env, String(releaseOptions.repositoryUrl ?? ''));
  const wanted = latestByRule(context);
  if (!target?.token || !wanted) return;
  const http = createHttpClient({ env: context.env });
  const client = githubClient(Octokit, { apiUrl: target.apiUrl, token: target.token, http, logger });
  const repo = { owner: target.owner, repo: target.repo };
  try {
    const latest = await client
      .request('GET /repos/{owner}/{repo}/releases/latest', repo)
      .then((r) => r.data.tag_name)
      .catch((error: unknown) => {
        if (statusOf(error) === 404) return undefined; // no Latest release at all
        throw error;
      });
    if (latest === wanted.gitTag) return;
    const found = await client
      .request('GET /repos/{owner}/{repo}/releases/tags/{tag}', { ...repo, tag: wanted.gitTag })
      .then((r) => r.data)
      .catch((error: unknown) => {
        if (statusOf(error) === 404) return undefined;
        throw error;
      });
    if (!found) {
      logger.warn('GitHub has no release for %s, so it cannot be marked Latest.', wanted.gitTag);
      return;
    }
    if (releaseOptions.dryRun === true) {
      logger.log('Would mark %s Latest on GitHub again', found.html_url);
      return;
    }
    await client.request('PATCH /repos/{owner}/{repo}/releases/{release_id}', {
      ...repo,
      release_id: found.id,
      make_latest: 'true',
    });
    logger.log(
      'Marked %s Latest on GitHub again (it was %s): the highest release of the default channel',
      found.html_url,
      latest ?? 'none',
    );
  } catch (error) {
    const status = statusOf(error);
    const message = (error as Error).message;
    const reason = createRedactor(context.env).redact(
      status ? `HTTP ${String(status)}: ${message}` : message,
    );
    logger.warn(
      'Could not check which GitHub release is Latest (%s). Mark %s Latest by hand: gh release edit %s --latest',
      reason,
      wanted.gitTag,
      wanted.gitTag,
    );
  }
}
