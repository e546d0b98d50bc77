import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exec, type ExecContext } from '../exec.js';

/**
 * Where a resumed release runs: a detached `git worktree` of the user's repository at the tag. A
 * worktree shares the repository's config — `url.*.insteadOf`, `http.*.extraheader` (where
 * actions/checkout keeps CI's credentials), credential helpers — so every fetch and push reaches the
 * remote the way semantic-release's own push did; a `clone --shared` has none of it. Its HEAD, index
 * and FETCH_HEAD are its own, so the user's branch, index and work tree are never written; it is
 * removed (and unregistered) at the end.
 */
export interface TagCheckout {
  dir: string;
  /** HEAD and the index back on the tag's commit (for the success step's development version commit). */
  atTag(): Promise<void>;
  /** HEAD and the index on the commit the artifacts were built from, over the tag's files. */
  atBuiltFrom(builtFrom: string): Promise<void>;
  remove(): Promise<void>;
}

const NO_HOOKS = ['-c', 'core.hooksPath=/dev/null'];
const isCommitId = (s: string) => /^[0-9a-f]{40,64}$/.test(s);

export async function checkoutTag(ctx: ExecContext, root: string, commit: string): Promise<TagCheckout> {
  const base = await mkdtemp(path.join(tmpdir(), 'srs-resume-'));
  const dir = path.join(base, 'tree');
  const git = (args: string[], cwd = dir) => exec(ctx, 'git', args, { cwd, quiet: true });
  const remove = async () => {
    await exec(ctx, 'git', ['worktree', 'remove', '--force', '--', dir], {
      cwd: root,
      quiet: true,
      reject: false,
    });
    await rm(base, { recursive: true, force: true });
    await exec(ctx, 'git', ['worktree', 'prune'], { cwd: root, quiet: true, reject: false });
  };
  try {
    await git([...NO_HOOKS, 'worktree', 'add', '--quiet', '--detach', '--', dir, commit], root);
  } catch (error) {
    await remove();
    throw error;
  }
  // Only commit ids are ever given to `git reset` (never a name a user typed, nor an option).
  return {
    dir,
    remove,
    atTag: async () => {
      await git(['reset', '--quiet', commit, '--']);
    },
    /**
     * With @semantic-release/git the tag is on its release commit and the artifacts were built from
     * its parent: HEAD and the index go there, the release commit's new files untracked and its edits
     * uncommitted, as the interrupted run saw them. A build that asks git gets the same answer
     * (setuptools-scm puts HEAD's files into the sdist: a CHANGELOG.md new in the release commit is not one).
     */
    atBuiltFrom: async (builtFrom: string) => {
      if (builtFrom !== commit && isCommitId(builtFrom)) await git(['reset', '--quiet', builtFrom, '--']);
    },
  };
}
