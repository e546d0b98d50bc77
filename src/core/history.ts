import semver from 'semver';
import { stackError } from '../errors.js';
import type { ReleaseContext } from '../kind.js';
import { tryGit } from './git.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A RegExp that reads the version out of a tag made with `tagFormat`, when the format is plain. */
function tagPattern(tagFormat: string): RegExp | undefined {
  const parts = tagFormat.split('${version}');
  if (parts.length !== 2 || parts.some((p) => p.includes('${'))) return undefined;
  return new RegExp(`^${escape(parts[0]!)}(.+)${escape(parts[1]!)}$`);
}

/**
 * After a force-push, tags of releases that were made stay in the repository but no branch reaches
 * them any more; semantic-release then computes a version that was already released and fails only
 * when it creates the tag, after prepare has written files and built artifacts. Any tag at or above
 * the next version that semantic-release did not find on a branch means the history was rewritten.
 */
export async function checkHistory(ctx: ReleaseContext): Promise<Error[]> {
  const pattern = tagPattern(String(ctx.options.tagFormat ?? 'v${version}'));
  if (!pattern) return [];
  const known = new Set(ctx.releasedVersions);
  // Outside a git repository (semantic-release itself would have stopped) there is nothing to check.
  const listed = await tryGit(ctx, ['tag', '--list']).catch(() => ({ ok: false, output: '' }));
  if (!listed.ok) return [];
  const tags = listed.output.split('\n').filter(Boolean);
  const orphans = tags.filter((tag) => {
    const version = semver.valid(semver.clean(pattern.exec(tag)?.[1] ?? ''));
    return version !== null && !known.has(version) && semver.gte(version, ctx.release.version);
  });
  return orphans.length
    ? [
        stackError('EHISTORYREWRITTEN', {
          tags: orphans,
          version: ctx.release.version,
          branch: ctx.branch.name,
        }),
      ]
    : [];
}
