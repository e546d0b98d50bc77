import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { stackError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GithubClient } from './client.js';
import { downloadAsset } from './download.js';
import { describeGithubError, githubStatus } from './errors.js';

/**
 * Finishes the GitHub release of a tag, for `semantic-release-stack publish --tag`: finds the release
 * by its tag (drafts included: @semantic-release/github leaves one behind when an upload fails),
 * creates it as a draft when there is none, uploads only the assets it lacks and publishes the draft
 * once every asset is there and verified. An asset that is already there with the same sha256 is
 * left alone; one with other content stops the run before anything is written — a released file is
 * never replaced. Uploads go one at a time (the client spaces writes).
 */
export interface LocalAsset {
  name: string;
  /** Absolute path of the file to upload. */
  file: string;
  sha256: string;
  size: number;
}

export interface ReleaseTarget {
  client: GithubClient;
  owner: string;
  repo: string;
  tag: string;
  /** Used only when the release has to be created. */
  create: { name: string; body: string; prerelease: boolean };
  /** @semantic-release/github's `draftRelease`: the release stays a draft for a person to publish. */
  keepDraft: boolean;
  /** Whether the "latest" rule (version.ts) makes it GitHub's Latest release: sent as `make_latest`. */
  latest: boolean;
  dryRun: boolean;
  logger: Logger;
}

interface RemoteRelease {
  id: number;
  tag_name: string;
  draft: boolean;
  html_url: string;
  upload_url: string;
}

interface RemoteAsset {
  id: number;
  name: string;
  size: number;
  state: string;
  digest?: string | null;
  url: string;
}

export interface ReleaseOutcome {
  url: string | undefined;
  skipped: string[];
  published: string[];
}

type Where = Pick<ReleaseTarget, 'client' | 'owner' | 'repo' | 'tag'>;

const repoOf = (t: Where) => ({ owner: t.owner, repo: t.repo });

/** The release of the tag, a draft too (drafts are only found through the list). */
export async function findRelease(t: Where): Promise<RemoteRelease | undefined> {
  try {
    const byTag = await t.client.request('GET /repos/{owner}/{repo}/releases/tags/{tag}', {
      ...repoOf(t),
      tag: t.tag,
    });
    return byTag.data as RemoteRelease;
  } catch (error) {
    if (githubStatus(error) !== 404) throw error;
  }
  // Drafts have no tag yet on GitHub's side, so only the list finds them.
  let found: RemoteRelease | undefined;
  await t.client.paginate(
    'GET /repos/{owner}/{repo}/releases',
    { ...repoOf(t), per_page: 100 },
    (page, done) => {
      found = (page.data as RemoteRelease[]).find((r) => r.tag_name === t.tag);
      if (found) done();
      return [];
    },
  );
  return found;
}

export async function assetsOf(t: Where, release: RemoteRelease): Promise<RemoteAsset[]> {
  return (await t.client.paginate('GET /repos/{owner}/{repo}/releases/{release_id}/assets', {
    ...repoOf(t),
    release_id: release.id,
    per_page: 100,
  })) as RemoteAsset[];
}

/** The sha256 of a remote asset: GitHub's `digest` field, else the downloaded bytes' (older GHES). */
async function remoteSha256(t: ReleaseTarget, asset: RemoteAsset): Promise<string> {
  if (asset.digest?.startsWith('sha256:')) return asset.digest.slice('sha256:'.length);
  return createHash('sha256')
    .update(await downloadAsset(t.client, asset.url))
    .digest('hex');
}

type Step = { asset: LocalAsset; action: 'skip' | 'upload' | 'replace-broken'; remote?: RemoteAsset };

async function planAssets(t: ReleaseTarget, remote: RemoteAsset[], local: LocalAsset[]): Promise<Step[]> {
  const steps: Step[] = [];
  const conflicts: Error[] = [];
  for (const asset of local) {
    const there = remote.find((r) => r.name === asset.name);
    if (!there) steps.push({ asset, action: 'upload' });
    // An upload that broke off leaves the name taken by an asset that never became `uploaded`.
    else if (there.state !== 'uploaded') steps.push({ asset, action: 'replace-broken', remote: there });
    else {
      const sha256 = there.size === asset.size ? await remoteSha256(t, there) : undefined;
      if (sha256 === asset.sha256) steps.push({ asset, action: 'skip', remote: there });
      else
        conflicts.push(
          stackError('EGITHUBASSETCONFLICT', {
            tag: t.tag,
            name: asset.name,
            remote: sha256 ? `sha256:${sha256}` : `${there.size} bytes`,
            local: `sha256:${asset.sha256} (${asset.size} bytes)`,
          }),
        );
    }
  }
  if (conflicts.length === 1) throw conflicts[0]!;
  if (conflicts.length) throw new AggregateError(conflicts, 'GitHub release assets differ');
  return steps;
}

const CONTENT_TYPES: Record<string, string> = {
  '.tgz': 'application/gzip',
  '.gz': 'application/gzip',
  '.json': 'application/json',
  '.whl': 'application/zip',
  '.zip': 'application/zip',
};
const contentTypeOf = (name: string) =>
  CONTENT_TYPES[/\.[^.]+$/.exec(name)?.[0] ?? ''] ??
  (/^[A-Z0-9]+$/.test(name) ? 'text/plain' : 'application/octet-stream');

async function upload(t: ReleaseTarget, release: RemoteRelease, asset: LocalAsset): Promise<void> {
  // Octokit expands the release's `upload_url` template (`…/assets{?name,label}`) with `name`.
  const answer = await t.client.request({
    method: 'POST',
    url: release.upload_url,
    name: asset.name,
    data: await readFile(asset.file),
    headers: { 'content-type': contentTypeOf(asset.name) },
  });
  const uploaded = answer.data as RemoteAsset;
  const digest = uploaded.digest;
  if (uploaded.size !== asset.size || (digest && digest !== `sha256:${asset.sha256}`))
    throw stackError('EGITHUBRELEASE', {
      tag: t.tag,
      reason: `GitHub holds ${asset.name} as ${digest ?? `${uploaded.size} bytes`} after the upload, not sha256:${asset.sha256}`,
    });
}

/** GitHub's `make_latest` is a string: "true", "false" or "legacy". */
const makeLatest = (t: ReleaseTarget): 'true' | 'false' => (t.latest ? 'true' : 'false');

export async function completeRelease(t: ReleaseTarget, local: LocalAsset[]): Promise<ReleaseOutcome> {
  const outcome: ReleaseOutcome = { url: undefined, skipped: [], published: [] };
  try {
    let release = await findRelease(t);
    const steps = release
      ? await planAssets(t, await assetsOf(t, release), local)
      : local.map((asset) => ({ asset, action: 'upload' as const }));
    const what = release
      ? `the GitHub ${release.draft ? 'draft' : 'release'} ${release.html_url}`
      : 'a new GitHub release';
    for (const step of steps.filter((s) => s.action === 'skip'))
      outcome.skipped.push(`${step.asset.name} is already on ${what} (sha256:${step.asset.sha256})`);
    if (t.dryRun) {
      for (const step of steps.filter((s) => s.action !== 'skip'))
        t.logger.log('Would upload %s to %s', step.asset.name, what);
      if (!release || (release.draft && !t.keepDraft))
        t.logger.log('Would publish %s (make_latest %s)', what, makeLatest(t));
      return { ...outcome, url: release?.html_url };
    }
    if (!release) {
      const made = await t.client.request('POST /repos/{owner}/{repo}/releases', {
        ...repoOf(t),
        tag_name: t.tag,
        ...t.create,
        draft: true,
        make_latest: makeLatest(t),
      });
      release = made.data as RemoteRelease;
      t.logger.log('Created the GitHub draft release %s', release.html_url);
    }
    for (const step of steps) {
      if (step.action === 'skip') continue;
      if (step.action === 'replace-broken')
        await t.client.request('DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}', {
          ...repoOf(t),
          asset_id: step.remote!.id,
        });
      await upload(t, release, step.asset);
      outcome.published.push(
        `uploaded ${step.asset.name} to ${release.html_url} (sha256:${step.asset.sha256})`,
      );
    }
    if (release.draft && !t.keepDraft) {
      const done = await t.client.request('PATCH /repos/{owner}/{repo}/releases/{release_id}', {
        ...repoOf(t),
        release_id: release.id,
        draft: false,
        // Explicit: without it GitHub makes every published non-prerelease release Latest.
        make_latest: makeLatest(t),
      });
      release = done.data as RemoteRelease;
      outcome.published.push(`published the GitHub release ${release.html_url}`);
    }
    for (const line of outcome.published) t.logger.log(line);
    return { ...outcome, url: release.html_url };
  } catch (error) {
    if (githubStatus(error) !== undefined)
      throw stackError('EGITHUBRELEASE', { tag: t.tag, reason: describeGithubError(error) });
    throw error;
  }
}
