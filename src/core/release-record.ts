import type { ReleaseContext } from '../kind.js';
import type { Redactor } from '../redact.js';
import type { BranchKind } from '../version.js';
import type { Manifest } from './manifest.js';

/**
 * What semantic-release decided for a release, written into the body of the release claim's commit
 * (release-lock.ts) before anything is published, so `publish --tag` continues exactly that release
 * instead of guessing it again from the configuration and the history.
 *
 * `options` are semantic-release's options as the run got them (its configuration after `extends`,
 * the plugins with their options), not the kinds' resolved options: those hold absolute paths of the
 * interrupted run's checkout, and each step resolves them again from these. Options hold no secrets
 * (the env does); the one exception, the token semantic-release puts into `repositoryUrl`, is taken
 * out, and the whole text goes through the redactor.
 */
export interface ReleaseRecord {
  schema: 1;
  tag: string;
  version: string;
  /** The commit the tag points at (@semantic-release/git's release commit, when there is one). */
  tagCommit: string;
  /** The commit the artifacts were built from (semantic-release's gitHead during prepare). */
  builtFrom: string;
  branch: { name: string; type: BranchKind; main: boolean; prerelease?: string; channel?: string };
  /** The channel the release was published to; undefined is the default channel. */
  channel?: string;
  /** Every version semantic-release knew as released, and those on the default channel. */
  releasedVersions: string[];
  defaultChannelVersions: string[];
  /** The repository URL semantic-release was given, without credentials. */
  repositoryUrl?: string;
  options: Record<string, unknown>;
  /** semantic-release's release notes (the GitHub release's body). */
  notes?: string;
}

const MARKER = 'semantic-release-stack-record: ';

/** `user:password@` taken out of an URL-like string; anything else as it is. */
export function withoutCredentials(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** The record of the release a publish step is about, from its context and the manifest prepare wrote. */
export function recordOf(
  ctx: ReleaseContext,
  manifest: Manifest,
  tagCommit: string,
  notes?: string,
): ReleaseRecord {
  const given = ctx.options.originalRepositoryURL ?? ctx.options.repositoryUrl;
  const repositoryUrl = withoutCredentials(given);
  const options = JSON.parse(JSON.stringify(ctx.options)) as Record<string, unknown>;
  delete options.originalRepositoryURL;
  if (repositoryUrl) options.repositoryUrl = repositoryUrl;
  else delete options.repositoryUrl;
  const channel = ctx.release.channel;
  return {
    schema: 1,
    tag: ctx.release.gitTag,
    version: ctx.release.version,
    tagCommit,
    builtFrom: manifest.gitHead,
    branch: {
      name: ctx.branch.name,
      type: ctx.branch.kind,
      main: ctx.branch.main,
      ...(ctx.branch.prerelease ? { prerelease: ctx.branch.prerelease } : {}),
      ...(channel ? { channel } : {}),
    },
    ...(channel ? { channel } : {}),
    releasedVersions: ctx.releasedVersions,
    defaultChannelVersions: ctx.defaultChannelVersions,
    ...(repositoryUrl ? { repositoryUrl } : {}),
    options,
    ...(notes ? { notes } : {}),
  };
}

/** The claim commit's message: a subject line, then the record. */
export function recordMessage(subject: string, record: ReleaseRecord, redactor: Redactor): string {
  return `${subject}\n\n${MARKER}${redactor.redact(JSON.stringify(record))}\n`;
}

/** The record in a claim commit's message; undefined for a claim made before records existed. */
export function parseRecord(message: string): ReleaseRecord | undefined {
  const line = message.split('\n').find((l) => l.startsWith(MARKER));
  if (!line) return undefined;
  try {
    const record = JSON.parse(line.slice(MARKER.length)) as ReleaseRecord;
    return record.schema === 1 && typeof record.tag === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}
