import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stackError } from '../errors.js';
import { exec, type ExecContext } from '../exec.js';
import type { ArtifactKind, ReleaseContext } from '../kind.js';
import { artifactTypeOrder, publishedTypes, type Outcome } from '../kind.js';
import { KINDS, kindByEntry } from '../kinds/index.js';
import type { Logger } from '../logger.js';
import { createRedactor } from '../redact.js';
import { isLatest } from '../version.js';
import type { SrContext } from './context.js';
import { readManifest, saveManifest, type Artifact } from './manifest.js';
import { createPlugin, type Plugin } from './plugin.js';
import { remoteClaim } from './release-lock.js';
import { resumeGithubRelease, resumeGithubTarget, usesGithub } from './resume-github.js';
import { restoreSigstoreBundles } from '../sign/resume.js';
import { loadReleaseConfig, stackEntries, type ReleaseOptions, type StackEntry } from './release-config.js';
import {
  decideBranch,
  noteChannel,
  releasedVersions,
  releaseHead,
  tagCommitOf,
  versionOfTag,
  type ResumedBranch,
} from './resume-release.js';

/**
 * `semantic-release-stack publish --tag vX.Y.Z`: finishes a release whose tag is pushed but whose
 * publish failed (semantic-release itself never re-runs it: the tag makes the next run see nothing to
 * release). The tag is checked out into a temporary shared clone, so the user's work tree and
 * repository are never written; there the plugin's own steps run with a context re-created from the
 * tag (verifyConditions, verifyRelease, prepare, publish). Publishing is idempotent per kind: what the
 * registry or index already holds with the same digest is skipped, a different one stops the run
 * with the kind's conflict code.
 */
export interface ResumeOptions {
  /** Where to run: inside the repository (the CLI's working directory). */
  cwd: string;
  /** The environment: credentials, DOCKER_HOST… (the CLI passes its own). */
  env: Record<string, string | undefined>;
  tag: string;
  configFile?: string;
  dryRun?: boolean;
  /** Overrides the branch decision (see decideBranch). */
  branch?: string;
  /** Overrides the commit the artifacts are built for (see releaseHead). */
  gitHead?: string;
  logger: Logger;
}

export interface ResumeOutcome {
  tag: string;
  version: string;
  tagCommit: string;
  gitHead: string;
  branch: ResumedBranch;
  /** What was already there and left alone (the kinds' `already-there` outcomes, GitHub's assets). */
  skipped: string[];
  /** What this run pushed or uploaded (the kinds' `published` outcomes, GitHub's). */
  published: string[];
  /** Artifacts of publishing kinds after the run (with their pushed digests). */
  artifacts: Artifact[];
  /** Kinds left out because they publish nothing (and, without a GitHub release, feed nothing). */
  leftOut: string[];
  /** The GitHub release, when the configuration has one (@semantic-release/github). */
  githubRelease: string | undefined;
  dryRun: boolean;
}

type AnyKind = ArtifactKind<unknown>;

/**
 * Kinds with a publish or a success step stay (the dev version and the chart index are success's:
 * a release whose publish failed never got there). Kinds whose files only feed the GitHub release
 * (their artifact types with a GitHub asset) stay when there is one to complete.
 */
const resumable = (withGithub: boolean) => (kind: AnyKind) =>
  typeof kind.publish === 'function' ||
  typeof kind.success === 'function' ||
  (withGithub && kind.artifacts.some((a) => a.githubAsset));

interface PluginRun {
  plugin: Plugin;
  config: Record<string, unknown>;
}

function pluginsFor(
  entries: StackEntry[],
  options: ReleaseOptions,
): { runs: PluginRun[]; leftOut: string[] } {
  const publishes = resumable(usesGithub(options));
  const leftOut = new Set<string>();
  const runs: PluginRun[] = [];
  for (const entry of entries) {
    if (entry.entry === 'composite') {
      const kinds = (KINDS as readonly AnyKind[]).filter(publishes);
      for (const kind of KINDS as readonly AnyKind[]) if (!publishes(kind)) leftOut.add(kind.name);
      const config: Record<string, unknown> = { ...options, ...entry.config };
      for (const name of leftOut) delete config[name];
      runs.push({ plugin: createPlugin(kinds, 'composite'), config });
    } else {
      const kind = kindByEntry(entry.entry) as AnyKind;
      if (!publishes(kind)) {
        leftOut.add(kind.name);
        continue;
      }
      runs.push({ plugin: createPlugin([kind], 'standalone'), config: { ...options, ...entry.config } });
    }
  }
  return { runs, leftOut: [...leftOut] };
}

/** The summary's lines of the kinds' outcomes: what was sent, and what was there already. */
function summaryOf(outcomes: readonly Outcome[], redactor: ExecContext['redactor']) {
  const line = (text: string) => redactor.redact(text);
  return {
    published: outcomes.flatMap((o) => (o.status === 'published' ? [line(o.what)] : [])),
    skipped: outcomes.flatMap((o) => (o.status === 'already-there' ? [line(`${o.what} ${o.why}`)] : [])),
  };
}

async function repositoryRoot(ctx: ExecContext): Promise<string> {
  const result = await exec(ctx, 'git', ['rev-parse', '--show-toplevel'], { quiet: true, reject: false });
  if (result.exitCode !== 0)
    throw stackError('ERESUMETAG', { tag: '(any)', reason: `${ctx.cwd} is not inside a git repository` });
  return result.stdout.trim();
}

async function repositoryUrl(ctx: ExecContext, options: ReleaseOptions): Promise<string | undefined> {
  if (typeof options.repositoryUrl === 'string') return options.repositoryUrl;
  const origin = await exec(ctx, 'git', ['config', '--get', 'remote.origin.url'], {
    quiet: true,
    reject: false,
  });
  return origin.exitCode === 0 ? origin.stdout.trim() : undefined;
}

/**
 * A checkout of `commit` that shares the repository's objects and writes nothing into it. With
 * `builtFrom` (the tag is @semantic-release/git's release commit), HEAD and the index are put at
 * that parent over the tag's files, as the interrupted run saw them: the release commit's new files
 * untracked, its edits uncommitted. A build that asks git gets the same answer (setuptools-scm's
 * file finder puts HEAD's files into the sdist: a CHANGELOG.md new in the release commit is not
 * one). `atTag()` puts HEAD back on the tag for the success step's development version commit.
 */
async function checkoutTag(
  ctx: ExecContext,
  root: string,
  commit: string,
  builtFrom: string,
): Promise<{ dir: string; remove(): Promise<void>; atTag(): Promise<void> }> {
  const base = await mkdtemp(path.join(tmpdir(), 'srs-resume-'));
  const dir = path.join(base, 'tree');
  const remove = () => rm(base, { recursive: true, force: true });
  // Only a commit id is ever given to `git reset` (never a name a user typed, nor an option).
  const moved = builtFrom !== commit && /^[0-9a-f]{40,64}$/.test(builtFrom);
  try {
    const noHooks = ['-c', 'core.hooksPath=/dev/null'];
    await exec(ctx, 'git', [...noHooks, 'clone', '--quiet', '--shared', '--no-checkout', '--', root, dir], {
      quiet: true,
    });
    await exec(ctx, 'git', [...noHooks, 'checkout', '--quiet', '--detach', commit, '--'], {
      cwd: dir,
      quiet: true,
    });
    if (moved) await exec(ctx, 'git', ['reset', '--quiet', builtFrom, '--'], { cwd: dir, quiet: true });
  } catch (error) {
    await remove();
    throw error;
  }
  const atTag = async () => {
    if (moved) await exec(ctx, 'git', ['reset', '--quiet', commit, '--'], { cwd: dir, quiet: true });
  };
  return { dir, remove, atTag };
}

/**
 * The interrupted run claimed the tag (release-lock.ts) before it failed; continuing that run, this
 * one pushes the same claim again instead of being refused as a concurrent release.
 */
async function adoptClaim(dir: string, context: SrContext, redactor: ExecContext['redactor']): Promise<void> {
  const artifactsDir = path.join(dir, 'release-artifacts');
  const manifest = await readManifest(artifactsDir);
  if (!manifest) return;
  const ctx = {
    cwd: dir,
    env: context.env,
    logger: context.logger,
    redactor,
    options: context.options ?? {},
    release: { gitTag: manifest.gitTag },
  } as unknown as ReleaseContext;
  const claim = await remoteClaim(ctx);
  if (!claim) return;
  manifest.lock = claim;
  await saveManifest(artifactsDir, manifest, artifactTypeOrder(KINDS));
  context.logger.log('Continuing the claim %s the interrupted run pushed for %s', claim, manifest.gitTag);
}

/**
 * The success step of the resumed release (the chart index entry, the development version…); a
 * kind whose success is already done (an earlier resume, or a person) is left out.
 */
async function resumeSuccess(
  runs: PluginRun[],
  context: SrContext,
  redactor: ExecContext['redactor'],
): Promise<{ skipped: string[]; published: string[] }> {
  const skipped: string[] = [];
  const outcomes: Outcome[] = [];
  for (const run of runs) {
    const done = await run.plugin.resumeSuccess(run.config, context);
    skipped.push(...done.skipped);
    outcomes.push(...done.outcomes);
  }
  const summary = summaryOf(outcomes, redactor);
  return { skipped: [...skipped, ...summary.skipped], published: summary.published };
}

export async function resumePublish(options: ResumeOptions): Promise<ResumeOutcome> {
  const redactor = createRedactor(options.env);
  const base: ExecContext = { cwd: options.cwd, env: options.env, logger: options.logger, redactor };
  const root = await repositoryRoot(base);
  const ctx = { ...base, cwd: root };
  const { file, options: releaseOptions } = await loadReleaseConfig(options.cwd, options.configFile);
  const entries = stackEntries(releaseOptions, path.dirname(file));
  if (entries.length === 0) throw stackError('ERESUMENOSTACK', { file: path.relative(root, file) || file });

  const tagFormat = typeof releaseOptions.tagFormat === 'string' ? releaseOptions.tagFormat : 'v${version}';
  const version = versionOfTag(options.tag, tagFormat);
  if (!version)
    throw stackError('ERESUMETAG', {
      tag: options.tag,
      reason: `it does not name a SemVer version under the tagFormat \`${tagFormat}\``,
    });
  const tagCommit = await tagCommitOf(ctx, options.tag);
  const head = options.gitHead
    ? { gitHead: options.gitHead, reason: '--git-head' }
    : await releaseHead(ctx, tagCommit, releaseOptions, version);
  const branch = decideBranch({
    version,
    options: releaseOptions,
    noteChannel: await noteChannel(ctx, options.tag),
    ...(options.branch ? { branchOption: options.branch } : {}),
  });
  const released = await releasedVersions(ctx, tagFormat);
  const { runs, leftOut } = pluginsFor(entries, releaseOptions);

  const repository = await repositoryUrl(ctx, releaseOptions);
  if (usesGithub(releaseOptions))
    resumeGithubTarget({
      options: releaseOptions,
      env: options.env,
      repositoryUrl: repository,
      tag: options.tag,
    });

  options.logger.log(
    'Resuming %s (%s): tag at %s, artifacts built for %s (%s), branch %s (%s: %s)%s',
    options.tag,
    version,
    tagCommit.slice(0, 12),
    head.gitHead.slice(0, 12),
    head.reason,
    branch.name,
    branch.type,
    branch.reason,
    leftOut.length ? `; left out (nothing to publish): ${leftOut.join(', ')}` : '',
  );

  const checkout = await checkoutTag(ctx, root, tagCommit, head.gitHead);
  try {
    const logger = options.logger;
    const context: SrContext = {
      cwd: checkout.dir,
      env: options.env,
      logger,
      options: {
        ...releaseOptions,
        tagFormat,
        repositoryUrl: repository,
        dryRun: options.dryRun === true,
      },
      branch: {
        name: branch.name,
        type: branch.type,
        main: branch.main,
        ...(branch.prerelease ? { prerelease: branch.prerelease } : {}),
        ...(branch.channel ? { channel: branch.channel } : {}),
      },
      branches: [{ tags: released.map((v) => ({ version: v })) }],
      nextRelease: { version, gitTag: options.tag, gitHead: head.gitHead, channel: branch.channel ?? null },
    };
    for (const run of runs) await run.plugin.verifyConditions(run.config, context);
    for (const run of runs) await run.plugin.verifyRelease(run.config, context);
    let skipped: string[] = [];
    let published: string[] = [];
    if (!options.dryRun) {
      for (const run of runs) await run.plugin.prepare(run.config, context);
      await adoptClaim(checkout.dir, context, redactor);
      if (usesGithub(releaseOptions))
        await restoreSigstoreBundles(
          path.join(checkout.dir, 'release-artifacts'),
          resumeGithubTarget({
            options: releaseOptions,
            env: options.env,
            repositoryUrl: repository,
            tag: options.tag,
          }),
          options.tag,
          options.logger,
          options.env,
        );
      const outcomes: Outcome[] = [];
      for (const run of runs)
        outcomes.push(...(await run.plugin.publishReport(run.config, context)).outcomes);
      ({ skipped, published } = summaryOf(outcomes, redactor));
    }
    let githubRelease: string | undefined;
    if (usesGithub(releaseOptions)) {
      const github = await resumeGithubRelease({
        dir: checkout.dir,
        options: releaseOptions,
        env: options.env,
        repositoryUrl: context.options?.repositoryUrl as string | undefined,
        tag: options.tag,
        version,
        prerelease: branch.type === 'prerelease',
        latest: isLatest({ version, branch: branch.type, channel: branch.channel }, released),
        dryRun: options.dryRun === true,
        logger: options.logger,
      });
      githubRelease = github.url;
      skipped.push(...github.skipped);
      published.push(...github.published);
    }
    if (!options.dryRun) {
      await checkout.atTag();
      const done = await resumeSuccess(runs, context, redactor);
      skipped.push(...done.skipped);
      published.push(...done.published);
    }
    const manifest = await readManifest(path.join(checkout.dir, 'release-artifacts'));
    const artifacts = (manifest?.artifacts ?? []).filter((a) => publishedTypes(KINDS).includes(a.type));
    return {
      tag: options.tag,
      version,
      tagCommit,
      gitHead: head.gitHead,
      branch,
      skipped,
      published,
      artifacts,
      leftOut,
      githubRelease,
      dryRun: options.dryRun === true,
    };
  } catch (error) {
    throw redactor.redactError(error);
  } finally {
    await checkout.remove();
  }
}
