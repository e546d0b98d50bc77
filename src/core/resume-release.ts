import semver from 'semver';
import { stackError } from '../errors.js';
import { exec, type ExecContext } from '../exec.js';
import type { ReleaseOptions } from './release-config.js';

/**
 * What semantic-release knew about a release when it ran, re-derived from the repository for a
 * resumed publish: the version from the tag, the branch and channel, the commit it released from.
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

type BranchSpec = {
  name: string;
  channel?: string | false | null;
  prerelease?: boolean | string;
  range?: string;
};

function branchSpecs(options: ReleaseOptions): BranchSpec[] {
  const list = options.branches === undefined ? ['master', 'main'] : [options.branches].flat();
  return list.flatMap((b): BranchSpec[] => {
    if (typeof b === 'string') return [{ name: b }];
    if (b && typeof b === 'object' && typeof (b as BranchSpec).name === 'string') return [b as BranchSpec];
    return [];
  });
}

const MAINTENANCE = /^\d+\.(?:\d+\.)?x$/;
const isMaintenance = (b: BranchSpec) => MAINTENANCE.test(b.range ?? b.name);
const prereleaseId = (b: BranchSpec) =>
  typeof b.prerelease === 'string' ? b.prerelease : b.prerelease ? b.name : undefined;
const isPlainName = (name: string) => /^[A-Za-z0-9._/-]+$/.test(name);

export interface ResumedBranch {
  name: string;
  type: 'release' | 'maintenance' | 'prerelease';
  main: boolean;
  prerelease?: string;
  /** The channel the version was released on; undefined for the default channel. */
  channel: string | undefined;
  /** How it was decided, for the output. */
  reason: string;
}

function channelOf(spec: BranchSpec | undefined, fallback: string, first: boolean): string | undefined {
  if (spec && spec.channel !== undefined) return spec.channel || undefined;
  return first ? undefined : fallback;
}

/**
 * The branch a tag was released from, as semantic-release would have described it:
 * 1. `--branch <name>`: that branch of the configuration (its type from its entry);
 * 2. a prerelease version (`2.0.0-beta.1`): the prerelease branch whose identifier is `beta`;
 * 3. the channel semantic-release recorded in the tag's note (refs/notes/semantic-release-<tag>):
 *    `null` is the default channel (the first release branch), a name is the branch with that
 *    channel (a maintenance branch for `1.x`-like names);
 * 4. otherwise the first release branch of the configuration.
 */
export function decideBranch(input: {
  version: string;
  options: ReleaseOptions;
  /** channels[0] of the tag's note; undefined when there is no note. */
  noteChannel: string | null | undefined;
  branchOption?: string;
}): ResumedBranch {
  const specs = branchSpecs(input.options);
  const releases = specs.filter((b) => !prereleaseId(b) && !isMaintenance(b));
  const firstRelease = releases.find((b) => isPlainName(b.name));
  const describe = (spec: BranchSpec | undefined, name: string, reason: string): ResumedBranch => {
    const pre = spec ? prereleaseId(spec) : undefined;
    if (pre)
      return {
        name,
        type: 'prerelease',
        main: false,
        prerelease: pre,
        channel: channelOf(spec, name, false),
        reason,
      };
    if (spec ? isMaintenance(spec) : MAINTENANCE.test(name))
      return { name, type: 'maintenance', main: false, channel: channelOf(spec, name, false), reason };
    const main = !spec || spec === firstRelease || spec.name === firstRelease?.name;
    return { name, type: 'release', main, channel: channelOf(spec, name, main), reason };
  };

  if (input.branchOption) {
    const spec = specs.find((b) => b.name === input.branchOption);
    return describe(spec, input.branchOption, '--branch');
  }
  const pre = semver.prerelease(input.version);
  if (pre) {
    const id = typeof pre[0] === 'string' ? pre[0] : '';
    const spec = specs.find((b) => prereleaseId(b) === id);
    const name = spec?.name ?? id;
    return {
      ...describe(spec ?? { name, prerelease: id }, name, `prerelease identifier \`${id}\``),
      ...(typeof input.noteChannel === 'string' ? { channel: input.noteChannel } : {}),
    };
  }
  if (typeof input.noteChannel === 'string') {
    const channel = input.noteChannel;
    const spec = specs.find((b) => b.channel === channel) ?? specs.find((b) => b.name === channel);
    return { ...describe(spec, spec?.name ?? channel, `channel \`${channel}\` in the tag's note`), channel };
  }
  const name = firstRelease?.name ?? 'main';
  const reason =
    input.noteChannel === null
      ? "default channel in the tag's note"
      : 'first release branch (no note on the tag)';
  return { name, type: 'release', main: true, channel: undefined, reason };
}

/** channels[0] of semantic-release's note on the tag; undefined when the repository has no note. */
export async function noteChannel(ctx: ExecContext, tag: string): Promise<string | null | undefined> {
  for (const ref of [`semantic-release-${tag}`, 'semantic-release']) {
    const note = await gitOut(ctx, ['notes', `--ref=${ref}`, 'show', `refs/tags/${tag}`]);
    if (!note.ok) continue;
    try {
      const channels = (JSON.parse(note.output) as { channels?: unknown[] }).channels;
      if (Array.isArray(channels) && channels.length > 0) {
        const first = channels[0];
        return typeof first === 'string' ? first : null;
      }
    } catch {
      // not semantic-release's JSON note
    }
  }
  return undefined;
}

const GIT_PLUGIN = '@semantic-release/git';
const GIT_DEFAULT_MESSAGE = 'chore(release): ${nextRelease.version} [skip ci]\n\n${nextRelease.notes}';

/** The subject @semantic-release/git gives the release commit, up to its first unknown placeholder. */
export function releaseCommitSubject(options: ReleaseOptions, version: string): string | undefined {
  const plugins = Array.isArray(options.plugins) ? options.plugins : [];
  const entry = plugins.find((p) => (Array.isArray(p) ? p[0] : p) === GIT_PLUGIN);
  if (entry === undefined) return undefined;
  const config = (Array.isArray(entry) ? entry[1] : undefined) as { message?: unknown } | undefined;
  const message = typeof config?.message === 'string' ? config.message : GIT_DEFAULT_MESSAGE;
  const subject = message
    .split('\n')[0]!
    .replace(/\$\{\s*nextRelease\.version\s*\}|<%=\s*nextRelease\.version\s*%>/g, version);
  const literal = subject.split(/\$\{|<%/)[0]!;
  return literal.includes(version) ? literal : undefined;
}

/**
 * The commit semantic-release released from (`nextRelease.gitHead` during prepare). With
 * @semantic-release/git the tag is on the release commit it made after prepare; the artifacts were
 * built (labels, SOURCE_DATE_EPOCH) from its parent, so that is the commit to rebuild them for.
 */
export async function releaseHead(
  ctx: ExecContext,
  tagCommit: string,
  options: ReleaseOptions,
  version: string,
): Promise<{ gitHead: string; reason: string }> {
  const subject = releaseCommitSubject(options, version);
  if (subject) {
    const log = await gitOut(ctx, ['log', '-1', '--format=%s%n%P', tagCommit, '--']);
    const [tagSubject = '', parents = ''] = log.output.split('\n');
    const parent = parents.split(' ')[0];
    if (log.ok && parent && tagSubject.startsWith(subject))
      return {
        gitHead: parent,
        reason: `the tag is @semantic-release/git's release commit; built from its parent`,
      };
  }
  return { gitHead: tagCommit, reason: 'the tagged commit' };
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
