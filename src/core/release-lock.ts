import { randomBytes } from 'node:crypto';
import { stackError } from '../errors.js';
import type { ReleaseContext } from '../kind.js';
import type { ExecContext } from '../exec.js';
import { commitIdentity, remoteFor, tryGit, type Remote } from './git.js';
import type { Manifest } from './manifest.js';
import { parseRecord, recordMessage, recordOf, type ReleaseRecord } from './release-record.js';

/**
 * The claim on a release's publish. semantic-release has no lock: two runs on the same commit both
 * create the same lightweight tag, and the second `git push --tags` succeeds as "up to date" (its
 * notes push too, when both notes were written in the same second), so both go on to publish. Before
 * any external publish each run therefore pushes a commit of its own (child of the tagged commit,
 * with a random nonce) to `refs/semantic-release-stack/releases/<tag>`, without force: git lets only
 * the first one create the ref, and every other run is refused (ECONCURRENT) before it publishes.
 * Plugins of one run share the claim through the release manifest; a resumed publish adopts the
 * claim already on the remote, and reads what the run decided from its message (release-record.ts).
 */
export const lockRef = (tag: string): string => `refs/semantic-release-stack/releases/${tag}`;

const REJECTED = /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|already exists|stale info/i;

function remoteOf(ctx: ReleaseContext): Remote {
  return remoteFor(String(ctx.options.repositoryUrl ?? 'origin'), ctx);
}

async function createClaim(
  ctx: ReleaseContext,
  manifest: Manifest,
  notes: string | undefined,
  tagCommit: string,
): Promise<string> {
  const identity = commitIdentity(ctx.env);
  const head = ctx.release.gitHead;
  const subject = `semantic-release-stack publishes ${ctx.release.gitTag} (run ${randomBytes(8).toString('hex')})`;
  const message = recordMessage(subject, recordOf(ctx, manifest, tagCommit, notes), ctx.redactor);
  const made = await tryGit(ctx, ['commit-tree', `${head}^{tree}`, '-p', head, '-m', message], identity);
  if (!made.ok) throw stackError('ECOMMANDFAILED', { command: 'git commit-tree', output: made.output });
  return made.output.split('\n')[0]!.trim();
}

/**
 * Pushes this run's claim on the tag (creating it first); ECONCURRENT when another run holds it.
 * semantic-release creates the tag before publish; a step run without it (a test, a hand-made
 * context) has no tag to claim and is left alone. Returns whether a claim was pushed.
 */
export async function claimRelease(
  ctx: ReleaseContext,
  manifest: Manifest,
  notes?: string,
): Promise<boolean> {
  const tag = await tryGit(ctx, [
    'rev-parse',
    '--verify',
    '--quiet',
    `refs/tags/${ctx.release.gitTag}^{commit}`,
  ]);
  if (!tag.ok) return false;
  manifest.lock ??= await createClaim(ctx, manifest, notes, tag.output.split('\n')[0]!.trim());
  const remote = remoteOf(ctx);
  const ref = lockRef(ctx.release.gitTag);
  const pushed = await tryGit(
    ctx,
    ['push', '--no-verify', '--quiet', remote.url, `${manifest.lock}:${ref}`],
    remote.env,
  );
  if (pushed.ok) return true;
  if (REJECTED.test(pushed.output)) throw stackError('ECONCURRENT', { tag: ctx.release.gitTag, ref });
  throw stackError('ECOMMANDFAILED', {
    command: `git push ${ctx.redactor.redact(remote.url)} ${manifest.lock}:${ref}`,
    output: pushed.output,
  });
}

/**
 * For a resumed publish: the claim the interrupted run pushed, fetched from `remote` into the
 * repository `ctx.cwd` is in (a worktree keeps FETCH_HEAD to itself), with the record of the release
 * it holds; undefined when the remote has no claim, `record` undefined for a claim without one.
 */
export async function remoteClaim(
  ctx: ExecContext,
  remote: Remote,
  tag: string,
): Promise<{ commit: string; record: ReleaseRecord | undefined } | undefined> {
  // ls-remote first: an empty answer is "no claim", a failure is a remote this run cannot reach.
  const listed = await tryGit(ctx, ['ls-remote', '--refs', remote.url, lockRef(tag)], remote.env);
  if (!listed.ok) throw unreachable(ctx, remote, 'ls-remote', listed.output);
  if (!listed.output.trim()) return undefined;
  const fetched = await tryGit(ctx, ['fetch', '--quiet', '--no-tags', remote.url, lockRef(tag)], remote.env);
  if (!fetched.ok) throw unreachable(ctx, remote, 'fetch', fetched.output);
  const head = await tryGit(ctx, ['log', '-1', '--format=%H%n%B', 'FETCH_HEAD^{commit}', '--']);
  if (!head.ok) return undefined;
  const [commit = '', ...message] = head.output.split('\n');
  return { commit: commit.trim(), record: parseRecord(message.join('\n')) };
}

const unreachable = (ctx: ExecContext, remote: Remote, command: string, output: string) =>
  stackError('ECOMMANDFAILED', { command: `git ${command} ${ctx.redactor.redact(remote.url)}`, output });
