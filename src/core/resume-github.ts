import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { stackError } from '../errors.js';
import { githubClient, StackOctokit, type StackOctokitClass } from '../github/client.js';
import { createHttpClient } from './http.js';
import { notesFromChangelog } from '../github/notes.js';
import { completeRelease, type LocalAsset, type ReleaseOutcome } from '../github/release.js';
import {
  effectiveGithubOptions,
  githubPluginOptions,
  githubTarget,
  type GithubTarget,
} from '../github/target.js';
import type { Logger } from '../logger.js';
import { CHECKSUMS_FILE, MANIFEST_FILE, readManifest, sha256File } from './manifest.js';
import type { ReleaseOptions } from './release-config.js';

/**
 * The GitHub release part of `semantic-release-stack publish --tag`. The assets are the release
 * manifest's files (docs archive, chart, wheel) plus manifest.json and SHA256SUMS — what the preset
 * gives @semantic-release/github — re-created at the tag. A configuration that attaches other files
 * to its release gets these, not those (documented).
 */
export interface GithubResume {
  /** The temporary checkout of the tag, with its `release-artifacts/`. */
  dir: string;
  options: ReleaseOptions;
  env: Record<string, string | undefined>;
  repositoryUrl: string | undefined;
  tag: string;
  version: string;
  /** The interrupted run's release notes, when recorded; else the changelog's section, if any. */
  notes: string | undefined;
  prerelease: boolean;
  /** Whether the "latest" rule makes this release GitHub's Latest release (isLatest, version.ts). */
  latest: boolean;
  dryRun: boolean;
  logger: Logger;
}

/** Whether the release configuration has a GitHub release for this command to complete. */
export const usesGithub = (options: ReleaseOptions): boolean =>
  githubPluginOptions(options.plugins) !== undefined;

function changelogFile(options: ReleaseOptions): string {
  for (const entry of Array.isArray(options.plugins) ? (options.plugins as unknown[]) : []) {
    if (Array.isArray(entry) && entry[0] === '@semantic-release/changelog') {
      const file = (entry[1] as { changelogFile?: unknown } | undefined)?.changelogFile;
      if (typeof file === 'string') return file;
    }
  }
  return 'CHANGELOG.md';
}

async function localAssets(artifactsDir: string): Promise<LocalAsset[]> {
  const manifest = await readManifest(artifactsDir);
  const names = [
    ...(manifest?.artifacts ?? []).filter((a) => a.path).map((a) => path.basename(a.path!)),
    MANIFEST_FILE,
    CHECKSUMS_FILE,
  ];
  return Promise.all(
    [...new Set(names)].map(async (name) => {
      const file = path.join(artifactsDir, name);
      return { name, file, ...(await sha256File(file)) };
    }),
  );
}

/**
 * Where the GitHub release lives and the token to complete it with; a coded error when either is
 * missing. Called before anything is built, so a resume never publishes half and then stops here.
 */
export function resumeGithubTarget(
  r: Pick<GithubResume, 'options' | 'env' | 'repositoryUrl' | 'tag'>,
): GithubTarget & { token: string } {
  const target = githubTarget(effectiveGithubOptions(r.options) ?? {}, r.env, r.repositoryUrl ?? '');
  if (!target)
    throw stackError('EGITHUBRELEASE', {
      tag: r.tag,
      reason: `the repository URL \`${r.repositoryUrl ?? '(none)'}\` does not name a GitHub owner and repository`,
    });
  if (!target.token)
    throw stackError('EGITHUBRELEASE', { tag: r.tag, reason: 'neither GH_TOKEN nor GITHUB_TOKEN is set' });
  return { ...target, token: target.token };
}

export async function resumeGithubRelease(
  r: GithubResume,
  { Octokit = StackOctokit }: { Octokit?: StackOctokitClass } = {},
): Promise<ReleaseOutcome> {
  const target = resumeGithubTarget(r);
  const changelog = await readFile(path.join(r.dir, changelogFile(r.options)), 'utf8').catch(() => '');
  return completeRelease(
    {
      client: githubClient(Octokit, {
        apiUrl: target.apiUrl,
        token: target.token,
        http: createHttpClient({ env: r.env }),
        logger: r.logger,
      }),
      owner: target.owner,
      repo: target.repo,
      tag: r.tag,
      create: {
        name: r.tag,
        body: r.notes ?? notesFromChangelog(changelog, r.version) ?? `Release ${r.tag}.`,
        prerelease: r.prerelease,
      },
      keepDraft: effectiveGithubOptions(r.options)?.draftRelease === true,
      latest: r.latest,
      dryRun: r.dryRun,
      logger: r.logger,
    },
    // A dry run builds nothing, so it can only say what the release on GitHub lacks in general.
    r.dryRun ? [] : await localAssets(path.join(r.dir, 'release-artifacts')),
  );
}
