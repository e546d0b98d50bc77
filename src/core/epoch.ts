import { git } from './git.js';
import type { ReleaseContext } from '../kind.js';

/**
 * The timestamp stamped into reproducible artifacts: SOURCE_DATE_EPOCH when the environment sets it
 * (the reproducible-builds convention), else the committer time of the release commit, so the same
 * commit always gives the same bytes.
 */
export async function releaseEpoch(ctx: ReleaseContext): Promise<number> {
  const fromEnv = ctx.env.SOURCE_DATE_EPOCH;
  if (fromEnv && /^\d+$/.test(fromEnv)) return Number(fromEnv);
  const out = await git(ctx, ['show', '-s', '--format=%ct', ctx.release.gitHead, '--']);
  const seconds = Number(out.trim());
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}
