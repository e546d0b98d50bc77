import { git } from './git.js';
import type { ReleaseContext } from '../kind.js';

/**
 * `git show -s --format=%ct` of a commit, asked once per plugin instance, repository and commit: the
 * wheel's zip times, the image's `created` label, the docs archive and the chart all stamp the same
 * time, and a commit's hash covers its committer time, so the answer cannot change. Failures are not
 * kept.
 */
export function committerTime(ctx: ReleaseContext, commit: string): Promise<string> {
  const committerTimes = ctx.caches.committerTimes;
  const key = `${ctx.root}\0${commit}`;
  let time = committerTimes.get(key);
  if (!time) {
    time = git(ctx, ['show', '-s', '--format=%ct', commit, '--']).then((out) => out.trim());
    time.catch(() => committerTimes.delete(key));
    committerTimes.set(key, time);
  }
  return time;
}

/**
 * The timestamp stamped into reproducible artifacts: SOURCE_DATE_EPOCH when the environment sets it
 * (the reproducible-builds convention), else the committer time of the release commit, so the same
 * commit always gives the same bytes.
 */
export async function releaseEpoch(ctx: ReleaseContext): Promise<number> {
  const fromEnv = ctx.env.SOURCE_DATE_EPOCH;
  if (fromEnv && /^\d+$/.test(fromEnv)) return Number(fromEnv);
  const seconds = Number(await committerTime(ctx, ctx.release.gitHead));
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}
