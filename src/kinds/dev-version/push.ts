import { stackError } from './errors.js';
import { commitIdentity, git, remoteFor, tryGit } from '../../core/git.js';
import type { ReleaseContext } from '../../kind.js';

/**
 * Commits exactly `paths` and pushes HEAD to the release branch. When the branch moved meanwhile,
 * fetches it and rebases only this one commit onto it, a few times at most. Never force-pushes.
 */
export async function commitAndPush(
  ctx: ReleaseContext,
  job: { paths: string[]; message: string; attempts: number; version: string },
): Promise<void> {
  const identity = commitIdentity(ctx.env);
  const fail = (reason: string) => stackError('EDEVBUMP', { version: job.version, reason });
  const committed = await tryGit(
    ctx,
    ['commit', '--no-verify', '-m', job.message, '--', ...job.paths],
    identity,
  );
  if (!committed.ok) throw fail(committed.output);

  const remote = remoteFor(String(ctx.options.repositoryUrl ?? 'origin'), ctx);
  const branch = ctx.branch.name;
  for (let attempt = 1; ; attempt++) {
    const pushed = await tryGit(
      ctx,
      ['push', '--no-verify', remote.url, `HEAD:refs/heads/${branch}`],
      remote.env,
    );
    if (pushed.ok) return;
    if (!/rejected|fetch first|non-fast-forward/i.test(pushed.output)) throw fail(pushed.output);
    if (attempt >= job.attempts)
      throw stackError('EDEVBUMPCONFLICT', { branch, attempts: attempt, version: job.version });
    ctx.logger.warn(
      '%s moved during the release; rebasing the development version commit (attempt %d).',
      branch,
      attempt + 1,
    );
    await git(ctx, ['fetch', '--no-tags', remote.url, `refs/heads/${branch}`], remote.env);
    const rebased = await tryGit(ctx, ['rebase', '--onto', 'FETCH_HEAD', 'HEAD~1'], identity);
    if (!rebased.ok) {
      await tryGit(ctx, ['rebase', '--abort']);
      throw stackError('EDEVBUMPCONFLICT', { branch, attempts: attempt, version: job.version });
    }
  }
}
