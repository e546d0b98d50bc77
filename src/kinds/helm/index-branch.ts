import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exec } from '../../exec.js';
import { commitIdentity, git, remoteFor, tryGit, type Remote } from '../../core/git.js';
import type { ReleaseContext } from '../../kind.js';
import type { IndexUpdate } from './chart-index.js';
import { stackError } from './errors.js';

export interface BranchFileJob {
  branch: string;
  /** Path of the file inside the branch. */
  path: string;
  message: string;
  attempts: number;
  /** The new content for the file's current content (undefined: absent); may throw. */
  update(current: string | undefined): IndexUpdate;
  /** For ECHARTINDEXCONFLICT. */
  subject: { name: string; version: string };
}

/** A failed git call's message with its output (ECOMMANDFAILED keeps the output in `details`). */
function reasonOf(error: Error): string {
  const details = (error as { details?: unknown }).details;
  return typeof details === 'string' ? `${error.message} ${details}` : error.message;
}

// The client's own refusals of a push to a branch that moved (`! [rejected] … (fetch first)`); a
// `[remote rejected]` (a hook or branch protection said no) is final and is not retried.
const MOVED = /! \[rejected\]|\(fetch first\)|\(non-fast-forward\)|\(stale info\)/;

/**
 * Writes one file on another branch of the remote without a working tree and without touching the
 * user's checkout, index or branches: the branch tip is fetched (FETCH_HEAD), the new tree is built
 * from it in a temporary index file, committed with commit-tree and pushed by commit id, without
 * force. A branch that does not exist yet is created as an orphan holding only the file. When the
 * push is refused because the branch moved, everything is redone from the new tip: the update is
 * applied to the file as it is now, not replayed as a diff.
 */
export async function updateBranchFile(
  ctx: ReleaseContext,
  job: BranchFileJob,
): Promise<{ changed: true } | { changed: false; why: string }> {
  const remote = remoteFor(String(ctx.options.repositoryUrl ?? 'origin'), ctx);
  const fail = (reason: string) => stackError('ECHARTINDEX', { branch: job.branch, path: job.path, reason });
  for (let attempt = 1; ; attempt++) {
    const tip = await fetchTip(ctx, remote, job.branch).catch((e: Error) => {
      throw fail(`the branch could not be fetched: ${reasonOf(e)}`);
    });
    const current = tip ? await readFile(ctx, tip, job.path, fail) : undefined;
    const result = job.update(current);
    if (!result.changed) {
      ctx.logger.log('%s; nothing to push', result.reason);
      return { changed: false, why: result.reason };
    }
    const commit = await commitFile(ctx, {
      tip,
      path: job.path,
      text: result.text,
      message: job.message,
    }).catch((e: Error) => {
      throw fail(`the commit could not be made: ${reasonOf(e)}`);
    });
    const pushed = await tryGit(
      ctx,
      ['push', '--no-verify', remote.url, `${commit}:refs/heads/${job.branch}`],
      remote.env,
    );
    if (pushed.ok) return { changed: true };
    if (!MOVED.test(pushed.output)) throw fail(`the push was refused: ${pushed.output}`);
    if (attempt >= job.attempts)
      throw stackError('ECHARTINDEXCONFLICT', { branch: job.branch, attempts: attempt, ...job.subject });
    ctx.logger.warn(
      '%s moved while the chart index was updated; adding the entry again (attempt %d).',
      job.branch,
      attempt + 1,
    );
  }
}

/** The commit the remote branch points at now (fetched into the object store), or undefined. */
async function fetchTip(ctx: ReleaseContext, remote: Remote, branch: string): Promise<string | undefined> {
  const ref = `refs/heads/${branch}`;
  const listed = await git(ctx, ['ls-remote', remote.url, ref], remote.env);
  if (!listed.split('\n').some((line) => line.endsWith(`\t${ref}`))) return undefined;
  await git(ctx, ['fetch', '--no-tags', '--quiet', remote.url, ref], remote.env);
  return (await git(ctx, ['rev-parse', '--verify', 'FETCH_HEAD^{commit}'])).trim();
}

/** The file's text at `commit`, undefined when the branch does not have it. */
async function readFile(
  ctx: ReleaseContext,
  commit: string,
  file: string,
  fail: (reason: string) => Error,
): Promise<string | undefined> {
  const entry = (await git(ctx, ['ls-tree', '-z', commit, '--', file])).replace(/\0$/, '');
  if (!entry) return undefined;
  const [mode, type, object] = entry.split(/[ \t]/);
  if (type !== 'blob' || mode === '120000') throw fail('it is not a regular file in the branch');
  const { stdout } = await exec(ctx, 'git', ['cat-file', 'blob', object!], { quiet: true });
  return stdout;
}

async function commitFile(
  ctx: ReleaseContext,
  change: { tip: string | undefined; path: string; text: string; message: string },
): Promise<string> {
  const identity = commitIdentity(ctx.env);
  const { stdout: blob } = await exec(ctx, 'git', ['hash-object', '-w', '--stdin'], {
    input: change.text,
    quiet: true,
  });
  // A private index file: the user's .git/index is never read or written.
  const dir = await mkdtemp(path.join(tmpdir(), 'srs-chart-index-'));
  const index = { GIT_INDEX_FILE: path.join(dir, 'index') };
  try {
    await git(ctx, change.tip ? ['read-tree', change.tip] : ['read-tree', '--empty'], index);
    await git(ctx, ['update-index', '--add', '--cacheinfo', `100644,${blob.trim()},${change.path}`], index);
    const tree = (await git(ctx, ['write-tree'], index)).trim();
    const parents = change.tip ? ['-p', change.tip] : [];
    return (await git(ctx, ['commit-tree', tree, ...parents, '-m', change.message], identity)).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
