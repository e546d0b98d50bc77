import semver from 'semver';
import { stackError } from '../errors.js';
import { exec, type ExecContext } from '../exec.js';
import { gitAuthUrl } from './git-auth-url.js';
import { remoteFor } from './git.js';
import { lockRef, remoteClaim } from './release-lock.js';
import type { ReleaseRecord } from './release-record.js';

/**
 * The repository's side of a resumed publish: the tag's commit, and every release tag it holds now
 * (a release made after the interrupted one must keep `latest`). What semantic-release decided for
 * the release itself is read from the claim's record (release-record.ts), never guessed.
 */

/** Runs git for its stdout; `ok` false when it exits non-zero. */
async function gitOut(ctx: ExecContext, args: string[]): Promise<{ ok: boolean; output: string }> {
  const result = await exec(ctx, 'git', args, {
    quiet: true,
    reject: false,
    env: { GIT_TERMINAL_PROMPT: '0' },
  });
  return { ok: result.exitCode === 0, output: result.stdout.trim() };
}

/** The version a tag names under `tagFormat` (`v${version}`), or undefined when it does not match. */
export function versionOfTag(tag: string, tagFormat: string): string | undefined {
  const parts = tagFormat.split('${version}');
  if (parts.length !== 2) return undefined;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^${escape(parts[0]!)}(.+)${escape(parts[1]!)}$`).exec(tag);
  const version = match?.[1];
  // semver.valid drops build metadata and a leading `v`: only a plain SemVer 2 string is a version.
  return version && /^\d/.test(version) && !/\s/.test(version) && semver.valid(version) ? version : undefined;
}

/** Versions of every tag in the repository that matches `tagFormat` (for "is a newer one out?"). */
export async function releasedVersions(ctx: ExecContext, tagFormat: string): Promise<string[]> {
  const tags = await gitOut(ctx, ['tag', '--list']);
  if (!tags.ok) return [];
  return tags.output
    .split('\n')
    .map((t) => versionOfTag(t.trim(), tagFormat))
    .filter((v): v is string => !!v);
}

/** The commit a tag points at; ERESUMETAG when the repository has no such tag. */
export async function tagCommitOf(ctx: ExecContext, tag: string): Promise<string> {
  if (tag.startsWith('-')) throw stackError('ERESUMETAG', { tag, reason: 'a tag cannot start with "-"' });
  const found = await gitOut(ctx, ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`]);
  if (!found.ok || !found.output)
    throw stackError('ERESUMETAG', {
      tag,
      reason: 'the repository has no such tag (fetch the tags first: `git fetch --tags`)',
    });
  return found.output.trim();
}

/**
 * What the interrupted run recorded in its claim on the tag, read from the remote `origin` of the
 * repository (through its own configuration, and with the token semantic-release would use when
 * that is not enough); ERESUMENORECORD when there is no claim, or one without a record.
 */
export async function recordedRelease(
  ctx: ExecContext,
  tag: string,
  tagCommit: string,
): Promise<{ record: ReleaseRecord; claim: string; origin: { url: string; pushUrl: string } }> {
  const origin = await gitOut(ctx, ['config', '--get', 'remote.origin.url']);
  if (!origin.ok || !origin.output)
    throw stackError('ERESUMENORECORD', {
      tag,
      reason: 'the repository has no remote `origin` to read it from',
    });
  const pushUrl = await gitAuthUrl(ctx, origin.output, probeOf(tag));
  const claim = await remoteClaim(ctx, remoteFor(pushUrl, ctx), tag);
  if (!claim) throw stackError('ERESUMENORECORD', { tag, reason: `\`origin\` has no \`${lockRef(tag)}\`` });
  if (!claim.record)
    throw stackError('ERESUMENORECORD', {
      tag,
      reason: `its claim ${claim.commit.slice(0, 12)} holds no record (made by a version of semantic-release-stack before records)`,
    });
  if (claim.record.tag !== tag || claim.record.tagCommit !== tagCommit)
    throw stackError('ERESUMETAG', {
      tag,
      reason: `it points at ${tagCommit.slice(0, 12)}, the release recorded ${claim.record.tag} at ${claim.record.tagCommit.slice(0, 12)} (the tag was moved)`,
    });
  return { record: claim.record, claim: claim.commit, origin: { url: origin.output, pushUrl } };
}

/** A push that needs push rights and changes nothing: the tag onto itself (see gitAuthUrl). */
export const probeOf = (tag: string): string[] => [`refs/tags/${tag}:refs/tags/${tag}`];
