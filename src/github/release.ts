import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { stackError } from '../errors.js';
import type { Logger } from '../logger.js';
import { GithubHttpError, type GithubClient } from './client.js';

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

const MAX_PAGES = 20;

type Where = Pick<ReleaseTarget, 'client' | 'owner' | 'repo' | 'tag'>;

/** The release of the tag, a draft too (drafts are only found through the list). */
export async function findRelease(t: Where): Promise<RemoteRelease | undefined> {
  const repoPath = `/repos/${t.owner}/${t.repo}/releases`;
  const byTag = await t.client.request<RemoteRelease>(
    'GET',
    `${repoPath}/tags/${encodeURIComponent(t.tag)}`,
    {
      accept: [404],
    },
  );
  if (byTag.status === 200) return byTag.json;
  // Drafts have no tag yet on GitHub's side, so only the list finds them.
  for (let page = 1; page <= MAX_PAGES; page++) {
    const list = await t.client.request<RemoteRelease[]>('GET', `${repoPath}?per_page=100&page=${page}`);
    const found = list.json.find((r) => r.tag_name === t.tag);
    if (found) return found;
    if (list.json.length < 100) return undefined;
  }
  return undefined;
}

export async function assetsOf(t: Where, release: RemoteRelease): Promise<RemoteAsset[]> {
  const assets: RemoteAsset[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const list = await t.client.request<RemoteAsset[]>(
      'GET',
      `/repos/${t.owner}/${t.repo}/releases/${release.id}/assets?per_page=100&page=${page}`,
    );
    assets.push(...list.json);
    if (list.json.length < 100) break;
  }
  return assets;
}

/** The sha256 of a remote asset: GitHub's `digest` field, else the downloaded bytes' (older GHES). */
async function remoteSha256(t: ReleaseTarget, asset: RemoteAsset): Promise<string> {
  if (asset.digest?.startsWith('sha256:')) return asset.digest.slice('sha256:'.length);
  const bytes = await t.client.download(asset.url);
  return createHash('sha256').update(bytes).digest('hex');
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

/** `…/assets{?name,label}` → `…/assets?name=<name>` (RFC 6570, the only template GitHub uses here). */
const uploadUrlFor = (template: string, name: string) =>
  `${template.replace(/\{[^}]*\}$/, '')}?name=${encodeURIComponent(name)}`;

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
  const answer = await t.client.request<RemoteAsset>('POST', uploadUrlFor(release.upload_url, asset.name), {
    data: await readFile(asset.file),
    contentType: contentTypeOf(asset.name),
  });
  const digest = answer.json.digest;
  if (answer.json.size !== asset.size || (digest && digest !== `sha256:${asset.sha256}`))
    throw stackError('EGITHUBRELEASE', {
      tag: t.tag,
      reason: `GitHub holds ${asset.name} as ${digest ?? `${answer.json.size} bytes`} after the upload, not sha256:${asset.sha256}`,
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
      const made = await t.client.request<RemoteRelease>('POST', `/repos/${t.owner}/${t.repo}/releases`, {
        body: { tag_name: t.tag, ...t.create, draft: true, make_latest: makeLatest(t) },
      });
      release = made.json;
      t.logger.log('Created the GitHub draft release %s', release.html_url);
    }
    for (const step of steps) {
      if (step.action === 'skip') continue;
      if (step.action === 'replace-broken')
        await t.client.request('DELETE', `/repos/${t.owner}/${t.repo}/releases/assets/${step.remote!.id}`);
      await upload(t, release, step.asset);
      outcome.published.push(
        `uploaded ${step.asset.name} to ${release.html_url} (sha256:${step.asset.sha256})`,
      );
    }
    if (release.draft && !t.keepDraft) {
      const done = await t.client.request<RemoteRelease>(
        'PATCH',
        `/repos/${t.owner}/${t.repo}/releases/${release.id}`,
        {
          // Explicit: without it GitHub makes every published non-prerelease release Latest.
          body: { draft: false, make_latest: makeLatest(t) },
        },
      );
      release = done.json;
      outcome.published.push(`published the GitHub release ${release.html_url}`);
    }
    for (const line of outcome.published) t.logger.log(line);
    return { ...outcome, url: release.html_url };
  } catch (error) {
    if (error instanceof GithubHttpError)
      throw stackError('EGITHUBRELEASE', { tag: t.tag, reason: error.message });
    throw error;
  }
}
